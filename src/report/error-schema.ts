/** The zod source of schemas/error.schema.json: what `--json` prints for a fatal error (cli/fatal.ts prints it). */
import { z } from 'zod';

export const ErrorJsonSchema = z
  .object({
    error: z.object({
      code: z.string().describe('a stable code (docs/errors.md); USAGE for command-line mistakes, INTERNAL for a bug'),
      message: z.string(),
      hint: z.string().nullable().describe('what to do about it'),
      exitCode: z.number().int(),
    }),
  })
  .describe('what lockhouse prints on stdout under --json when it cannot produce its result');

export type ErrorJson = z.infer<typeof ErrorJsonSchema>;
