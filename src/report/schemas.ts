/** The JSON Schemas published under schemas/, generated from their zod sources. */
import { z } from 'zod';
import { Manifest } from '../output/manifest.js';
import { ErrorJsonSchema } from './error-schema.js';
import { PlanJsonSchema } from './plan-json.js';
import { VerifyJsonSchema } from './verify-json.js';

export function schemaFiles(): Record<string, unknown> {
  return {
    'schemas/plan.schema.json': {
      title: 'lockhouse plan --json',
      ...z.toJSONSchema(PlanJsonSchema),
    },
    'schemas/manifest.schema.json': {
      title: 'DIR/lockhouse.json, the manifest of a collect',
      ...z.toJSONSchema(Manifest),
    },
    'schemas/error.schema.json': {
      title: 'lockhouse … --json, when a command fails before it has a result',
      ...z.toJSONSchema(ErrorJsonSchema),
    },
    'schemas/verify.schema.json': {
      title: 'lockhouse verify --json',
      ...z.toJSONSchema(VerifyJsonSchema),
    },
  };
}
