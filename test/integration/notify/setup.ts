// Shared setup of the notification tests: the demo store with SMS and email texts per language,
// its notifications pointed at the stand-ins through the real CLI.
import { openTestHubRepo } from '../../support/hub-engine.js';
import { HubEngine } from '../../../cloud/engine/hub-engine.js';
import { DEMO_STORE_ID } from '../../../shared/demo/demo-store.js';
import { seedDemo } from '../../support/processes.js';
import { runCli } from '../hub/harness.js';

export const SECRET = 'partner-webhook-secret-0123456789';

/** FileVirtuelle texts as the seed's suborganization example writes them (plus English). */
export const TEXTS = {
  wait: {
    FR: "Vous avez le numéro {customer.ticket}. Nous vous enverrons un SMS dès que votre tour approchera. Explorez le magasin en attendant d'etre averti.",
    EN: 'You have number {customer.ticket}. We will text you when your turn is near.',
  },
  go: {
    FR: "Bienvenue, votre numéro est le {customer.ticket} ! Restez à proximité de l'Espace Services, nous allons nous occuper de vous.",
    EN: 'Welcome, your number is {customer.ticket}! Stay close, we will see you soon.',
  },
  comeback: {
    FR: "C'est bientot votre tour. Rejoignez l'Espace Services et consultez l'écran d'attente.",
    EN: 'Your turn is near ({customer.ticket}). Please come back to the Services area.',
  },
  screen: { FR: '' },
  meeting: {
    FR: 'Bonjour, votre rendez-vous est prévu à {customer.mt_str} et votre numéro de passage dans la file est le {customer.ticket}.',
  },
};

export async function seedStoreWithTexts(dataDir: string): Promise<void> {
  seedDemo(dataDir);
  const repo = await openTestHubRepo(dataDir);
  try {
    const engine = new HubEngine(repo);
    await engine.mutate(async (append, tx) => {
      const store = await tx.store(DEMO_STORE_ID);
      if (store === null) throw new Error('no demo store');
      await append(
        store.id,
        'store_updated',
        {
          kind: 'store',
          store: {
            ...store,
            sms: { ...store.sms, enabled: true, defaultCountry: 'FR', texts: TEXTS },
            email: {
              ...store.email,
              enabled: true,
              texts: TEXTS,
              subjects: {
                wait: { FR: 'Votre ticket {customer.ticket}', EN: 'Your ticket {customer.ticket}' },
                go: { FR: 'Votre ticket {customer.ticket}', EN: 'Your ticket {customer.ticket}' },
                comeback: { FR: 'Bientôt votre tour', EN: 'Your turn is near' },
                screen: {},
                meeting: {},
              },
            },
          },
        },
        'test',
      );
    });
  } finally {
    await repo.close();
  }
}

export function cli(args: string[]): string {
  const r = runCli(args);
  if (r.status !== 0) throw new Error(`lineup-hub ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Points the demo organization's webhook at `url`, signed with SECRET. */
export function demoWebhook(dataDir: string, url: string): void {
  cli([
    'notify',
    'webhook',
    '--data',
    dataDir,
    '--org',
    'demo-org',
    '--url',
    url,
    '--secret',
    SECRET,
  ]);
}

/** Fast retries for tests: the schedule is the same code, with small numbers. */
export function fastDelivery(dataDir: string): void {
  cli([
    'notify',
    'delivery',
    '--data',
    dataDir,
    '--set',
    JSON.stringify({
      backoffMs: 40,
      maxBackoffMs: 300,
      pollMs: 40,
      timeoutMs: 1500,
      perEndpoint: 2,
    }),
  ]);
}
