import { z } from 'zod';

/**
 * Results are relayed as the upstream sent them (content, structuredContent, isError, _meta untouched), so the
 * gateway checks only that a result is an object. `z.custom` returns the value itself; an object schema would
 * copy every key of every result on the hot path.
 */
export const PassthroughResultSchema = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected a result object',
);
