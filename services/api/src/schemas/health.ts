/** Health, pages and the document itself: schemas so that every route in the OpenAPI document names its answer. */
import { z } from 'zod';
import { outputs } from './registry.ts';

export const Health = z
  .object({ status: z.enum(['ok', 'ready', 'unready']), reason: z.string().optional().describe('Why not ready.') })
  .register(outputs, { id: 'Health', description: 'Liveness or readiness.' });

export const Html = z.string().register(outputs, { id: 'Html', description: 'An HTML page.' });

export const OpenApiJson = z.object({ openapi: z.string() }).passthrough().register(outputs, { id: 'OpenApiDocument', description: 'This document.' });
