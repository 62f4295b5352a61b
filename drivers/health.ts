// Health of a pager or scanner as the appliance API reports it.
import type { z } from 'zod';
import type { PeripheralHealthSchema } from '../shared/api/appliance-api.js';

export type PeripheralHealth = z.output<typeof PeripheralHealthSchema>;
