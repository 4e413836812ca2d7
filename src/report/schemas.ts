/** The JSON Schemas published under schemas/, generated from their zod sources. */
import { z } from 'zod';
import { Manifest } from '../output/manifest.js';
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
    'schemas/verify.schema.json': {
      title: 'lockhouse verify --json',
      ...z.toJSONSchema(VerifyJsonSchema),
    },
  };
}
