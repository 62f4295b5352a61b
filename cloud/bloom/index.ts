// The customer's phone on the hub: the Bloom virtual-ticket API and the mobile pages, over one
// PhoneQueue (the store's settings and anti-abuse rules in front of the engine).
import type { FastifyInstance } from 'fastify';
import type { Server } from 'socket.io';
import type { SignInLimit } from '../auth/sign-in-limit.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { registerBloom } from './bloom-routes.js';
import { registerPhonePages } from './phone-pages.js';
import { PhoneQueue } from './phone-queue.js';

export { PhoneQueue } from './phone-queue.js';

/** `relayed`: other hub nodes share `io` through the Postgres relay (their phones hear this one). */
export function registerPhone(
  app: FastifyInstance,
  engine: HubEngine,
  io: Server,
  signInLimit: SignInLimit,
  relayed = false,
): PhoneQueue {
  const phone = new PhoneQueue(engine);
  registerBloom(app, engine, phone, signInLimit);
  registerPhonePages(app, engine, phone, io, relayed);
  return phone;
}

/** The page a customer follows a ticket on: the hub's public URL + the ticket's page token. */
export async function phoneUrl(
  hubUrl: string,
  phone: PhoneQueue,
  customerId: string,
): Promise<string> {
  return `${hubUrl.replace(/\/$/, '')}/t/${await phone.pageToken(customerId)}`;
}
