/** Jobs for the collect step tests, from a small inline uv.lock planned for one Linux target. */
import { jobsOf, type Jobs } from '../../../src/plan/jobs.js';
import { plan } from '../../../src/plan/index.js';
import { select } from '../../../src/select/index.js';
import { LINUX, graphOf, pkg, uvLock } from '../../helpers/uv-lock.js';

/** `app` (a local project) needing `pure` (a wheel), `other` (a wheel) and `native` (an sdist only: built). */
export function sampleJobs(options: { sdistsInOutput?: boolean } = {}): Jobs {
  const graph = graphOf(
    uvLock({}, pkg('app', { source: '{ editable = "." }', deps: ['pure', 'other', 'native'] }), pkg('pure'), pkg('other'), pkg('native', { sdist: true })),
  );
  const planned = plan(graph, select(graph, [LINUX], {}), { sdist: options.sdistsInOutput ?? false });
  return jobsOf(graph, planned, { lockDir: '/project', sdistsInOutput: options.sdistsInOutput ?? false, allowUnhashed: false, allowWeakHashes: false });
}
