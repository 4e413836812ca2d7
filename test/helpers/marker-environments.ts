/** Marker environments the marker tests evaluate in: CPython 3.12 on x86_64 Linux, as a real interpreter reports it. */
import type { MarkerEnvironment } from '../../src/python/markers.js';

export const LINUX_312: MarkerEnvironment = {
  implementation_name: 'cpython',
  implementation_version: '3.12.7',
  os_name: 'posix',
  platform_machine: 'x86_64',
  platform_python_implementation: 'CPython',
  platform_release: '6.8.0-45-generic',
  platform_system: 'Linux',
  platform_version: '#45-Ubuntu SMP PREEMPT_DYNAMIC',
  python_full_version: '3.12.7',
  python_version: '3.12',
  sys_platform: 'linux',
};
