import { v } from './validation';

/**
 * One element of the /logs/v1/singles request body: what the app sends, and what it keeps in the
 * backlog and on the retry queue, read back through this schema.
 */
export const coralogixEntrySchema = v.object({
  applicationName: v.string(),
  subsystemName: v.string(),
  text: v.string(),
  timestamp: v.number().optional(),
  hiResTimestamp: v.string().optional(),
  severity: v.union(v.literal(1), v.literal(2), v.literal(3), v.literal(4), v.literal(5), v.literal(6)).optional(),
  category: v.string().optional(),
  className: v.string().optional(),
  methodName: v.string().optional(),
  computerName: v.string().optional(),
  threadId: v.string().optional(),
});

export type CoralogixEntry = v.Infer<typeof coralogixEntrySchema>;
