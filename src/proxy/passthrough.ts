import { z } from 'zod';

/**
 * Results are relayed as the upstream sent them (content, structuredContent, isError, _meta untouched), so the
 * gateway checks only that a result is an object and leaves its fields to the two ends that own them.
 */
export const PassthroughResultSchema = z.looseObject({});
