// Notifications in the hub process: the outbox hook on the engine, the turn-near watcher, the
// delivery worker, and the Lineberty pushID subscription route (step 2 of the seed: the partner
// transmits a pushID each time a ticket is booked; 200 with nothing on success).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdSchema } from '../../shared/domain/entities.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { installOutbox, subscribePushId } from './outbox-hook.js';
import { alertTurnNear, watchTurnNear } from './turn-near.js';
import { DeliveryWorker } from './worker.js';

export const SUBSCRIPTION_PATH = '/lineberty/v2/tickets/:ticketId/subscription';

const SubscriptionSchema = z.object({ pushId: z.string().trim().min(1).max(512) });

export function registerNotify(app: FastifyInstance, engine: HubEngine): DeliveryWorker {
  const logError = (error: unknown): void => {
    process.stderr.write(
      `lineup-hub notify: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  };
  const worker = new DeliveryWorker(engine.repo, { onError: logError });
  const uninstall = installOutbox(engine, () => worker.wake());
  const unwatch = watchTurnNear(engine, logError);

  app.post<{ Params: { ticketId: string } }>(SUBSCRIPTION_PATH, async (request, reply) => {
    const ticketId = IdSchema.safeParse(request.params.ticketId);
    const body = SubscriptionSchema.safeParse(request.body);
    if (!body.success) {
      return reply.code(400).send({
        code: 400,
        error: 'InvalidPushId',
        message: 'Send {"pushId": "USER_PUSH_ID"} as JSON.',
      });
    }
    if (
      !ticketId.success ||
      (await subscribePushId(engine.repo, ticketId.data, body.data.pushId, new Date())) ===
        'not_found'
    ) {
      return reply
        .code(404)
        .send({ code: 404, error: 'TicketNotFound', message: 'No such ticket.' });
    }
    worker.wake();
    // The seed: "200 Returns nothing, successful subscription."
    return reply.code(200).send();
  });

  app.addHook('onReady', async () => {
    // A crash may have come between a change and its turn-near check: check every store now.
    for (const store of await engine.repo.stores()) {
      try {
        await alertTurnNear(engine, store.id);
      } catch (error) {
        logError(error);
      }
    }
    worker.start();
  });
  app.addHook('onClose', async () => {
    uninstall();
    await unwatch();
    await worker.stop();
  });
  return worker;
}
