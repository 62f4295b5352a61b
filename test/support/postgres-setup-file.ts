// setupFiles of the Postgres run of the hub suite: the run's cluster URL for support/hub-engine.ts
// (plain env, so the support code needs no vitest import and works under Playwright too).
import { inject } from 'vitest';
import './postgres-global-setup.js';

process.env.LINEUP_TEST_PG_URL = inject('hubPostgresUrl');
