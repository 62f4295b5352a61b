// Wait estimates at registration from indexed reads: people before counted by the repo, the
// service's latest finished customers for observed times; the formula is the domain's.
import type { Service } from '../../../shared/domain/entities.js';
import {
  OBSERVED_SAMPLE,
  competingServiceIds,
  estimateWith,
  type Estimate,
  type EstimateContext,
} from '../../../shared/domain/estimate.js';
import { storeDay } from '../../../shared/domain/numbering.js';
import { isPrioritized } from '../../../shared/domain/queue.js';
import type { CountAheadQuery, HubData, QueuePlace } from '../../db/hub-repo.js';
import type { CommandContext } from '../command-context.js';

/** Who the estimate is for: where it stands in call order. */
export type EstimateSubject = Omit<QueuePlace, 'prioritized'> & {
  serviceId: string;
  prioritized: boolean;
};

/** A ticket not issued yet ranks last of its tier (as the domain's draft does). */
export function draftSubject(ctx: Pick<CommandContext, 'now'>, serviceId: string): EstimateSubject {
  return {
    id: '\uffff',
    serviceId,
    prioritized: false,
    sortAt: ctx.now.toISOString(),
    arrivalSeq: Number.MAX_SAFE_INTEGER,
  };
}

export const prioritizedServiceIds = (services: readonly Service[]): string[] =>
  services.filter((s) => s.prioritize || s.prm).map((s) => s.id);

/** The domain's people-before (waiting, competing, ahead in call order), as the repo counts it. */
export function countAheadQuery(
  subject: EstimateSubject,
  queue: Omit<EstimateContext, 'customers' | 'now'>,
): CountAheadQuery {
  return {
    storeId: queue.store.id,
    serviceIds: [...competingServiceIds(subject.serviceId, queue)],
    prioritizedServiceIds: prioritizedServiceIds(queue.services),
    subject: {
      id: subject.id,
      sortAt: subject.sortAt,
      arrivalSeq: subject.arrivalSeq,
      prioritized: isPrioritized(subject, new Map(queue.services.map((s) => [s.id, s]))),
    },
  };
}

/** The people-before count alone. */
export function countPeopleBefore(
  repo: HubData,
  subject: EstimateSubject,
  queue: Omit<EstimateContext, 'customers' | 'now'>,
): Promise<number> {
  return repo.countWaitingAhead(countAheadQuery(subject, queue));
}

/** What `estimateAt` reads from: a store's day, services and devices, and the repo's queries. */
export type EstimateReadContext = Pick<CommandContext, 'store' | 'day' | 'services' | 'devices'> & {
  repo: HubData;
};

/** The estimate context of a store at `now`, read through `repo` (outside a command). */
export async function readEstimateContext(
  repo: HubData,
  storeId: string,
  now: Date,
): Promise<EstimateReadContext | null> {
  const store = await repo.store(storeId);
  if (store === null) return null;
  const services = await repo.services(storeId);
  const devices = await repo.devices(storeId);
  return {
    repo,
    store,
    day: storeDay(now, store.timeZone),
    services: async () => services,
    devices: async () => devices,
  };
}

export async function estimateAt(
  ctx: EstimateReadContext,
  subject: EstimateSubject,
): Promise<Estimate> {
  const queue = { services: await ctx.services(), devices: await ctx.devices(), store: ctx.store };
  // Twice the sample: the domain drops unusable samples before it takes its median.
  const { ahead, finished } = await ctx.repo.estimateReads({
    ahead: countAheadQuery(subject, queue),
    finished: { serviceId: subject.serviceId, day: ctx.day, limit: OBSERVED_SAMPLE * 2 },
  });
  return estimateWith(subject.serviceId, ahead, finished, queue);
}
