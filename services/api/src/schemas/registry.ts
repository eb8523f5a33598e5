/**
 * The schemas that validate every request and describe every response. The OpenAPI document
 * (`/api/openapi.json`) is generated from these same objects, so the two cannot drift.
 *
 * A schema registered in `outputs` or `inputs` becomes a named component of the document;
 * `inputs` are rendered as the client sends them (defaults optional), `outputs` as served.
 */
import { z } from 'zod';

export interface ComponentMeta {
  id: string;
  description?: string;
}

export const outputs = z.registry<ComponentMeta>();
export const inputs = z.registry<ComponentMeta>();

/** Every error the API sends: a code and a sentence a supervisor's IT person can act on. */
export const ApiError = z
  .object({
    error: z.string().describe('Machine-readable code: bad_request, unauthorized, forbidden, not_configured, not_found, unavailable, internal.'),
    message: z.string().describe('What went wrong and what to do about it; names the parameter for a bad_request.'),
    parameter: z.string().optional().describe('The query, path or body parameter that was refused (bad_request only).'),
  })
  .register(outputs, { id: 'Error', description: 'An error, always JSON.' });

export type ApiErrorBody = z.infer<typeof ApiError>;

/** ISO 8601 instant as served, e.g. 2026-11-16T08:15:00.000Z. */
export const instant = () => z.string().describe('ISO 8601 instant (UTC)');
