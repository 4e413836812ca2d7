import { describe, expect, it } from 'vitest';
import { parseContentLength, parseContentRange } from '../../../src/io/http/content-range.js';
import { backoffDelay, classifyError, isRetryableStatus, parseRetryAfter } from '../../../src/io/http/retry-policy.js';

const coded = (code: string, message = code): Error => Object.assign(new Error(message), { code });

describe('classifyError', () => {
  it.each([
    ['ECONNRESET', 'FETCH_NETWORK', true],
    ['ECONNREFUSED', 'FETCH_NETWORK', true],
    ['EPIPE', 'FETCH_NETWORK', true],
    ['EAI_AGAIN', 'FETCH_NETWORK', true],
    ['ETIMEDOUT', 'FETCH_TIMEOUT', true],
    ['UND_ERR_SOCKET', 'FETCH_NETWORK', true],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'FETCH_NETWORK', true],
    ['UND_ERR_CONNECT_TIMEOUT', 'FETCH_TIMEOUT', true],
    ['UND_ERR_HEADERS_TIMEOUT', 'FETCH_TIMEOUT', true],
    ['UND_ERR_BODY_TIMEOUT', 'FETCH_TIMEOUT', true],
    ['ENOTFOUND', 'FETCH_NETWORK', false],
    ['UND_ERR_CLOSED', 'FETCH_NETWORK', false],
    ['HPE_INVALID_CONSTANT', 'FETCH_NETWORK', false],
    ['CERT_HAS_EXPIRED', 'FETCH_TLS', false],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'FETCH_TLS', false],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'FETCH_TLS', false],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'FETCH_TLS', false],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'FETCH_TLS', false],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'FETCH_TLS', false],
    ['UND_ERR_PRX_TLS', 'FETCH_TLS', false],
    ['UND_ERR_ABORTED', 'FETCH_ABORTED', false],
  ] as const)('%s → %s, retried: %s', (code, fetchCode, retryable) => {
    expect(classifyError(coded(code))).toEqual({ code: fetchCode, retryable, reason: code });
  });

  it('looks into causes and AggregateErrors (happy eyeballs)', () => {
    const wrapped = new Error('fetch failed', { cause: coded('ECONNRESET') });
    expect(classifyError(wrapped).retryable).toBe(true);
    const aggregate = new AggregateError([coded('ECONNREFUSED'), coded('ENETUNREACH')], 'connect failed');
    expect(classifyError(aggregate)).toMatchObject({ retryable: true, reason: 'ECONNREFUSED' });
  });

  it('does not retry what it does not know', () => {
    expect(classifyError(new TypeError('boom'))).toEqual({ code: 'FETCH_NETWORK', retryable: false, reason: 'TypeError' });
  });
});

describe('isRetryableStatus', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [410, false],
    [416, false],
  ])('%i → %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});

describe('backoffDelay', () => {
  const settings = { retryBaseMs: 500, retryMaxMs: 30_000 };
  it('doubles its ceiling per attempt up to the maximum, and draws below it', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, settings, () => 0.9999999))).toEqual([499, 999, 1999, 3999, 29_999]);
    expect(backoffDelay(3, settings, () => 0)).toBe(0);
    expect(backoffDelay(2, settings, () => 0.5)).toBe(500);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  it.each([
    ['1', 1000],
    [' 30 ', 30_000],
    ['0', 0],
    ['3600', 60_000],
    ['Sun, 01 Jun 2025 12:00:10 GMT', 10_000],
    ['Sun, 01 Jun 2025 11:00:00 GMT', 0],
    ['soon', null],
    ['-5', null],
    ['1.5', null],
    [undefined, null],
  ])('%j → %j', (value, ms) => {
    expect(parseRetryAfter(value, now, 60_000)).toBe(ms);
  });
});

describe('Content-Range and Content-Length', () => {
  it.each([
    ['bytes 100-199/1000', { start: 100, end: 199, total: 1000 }],
    ['bytes 0-0/1', { start: 0, end: 0, total: 1 }],
    ['bytes 5-9/*', { start: 5, end: 9, total: null }],
    ['BYTES 1-2/3', { start: 1, end: 2, total: 3 }],
    ['bytes 9-5/10', null],
    ['bytes 0-10/10', null],
    ['bytes */1000', null],
    ['items 0-1/2', null],
    [undefined, null],
  ])('%j → %j', (value, range) => {
    expect(parseContentRange(value)).toEqual(range);
  });

  it('reads plain non-negative Content-Lengths only', () => {
    expect(parseContentLength('1024')).toBe(1024);
    expect(parseContentLength('-1')).toBeNull();
    expect(parseContentLength('12, 12')).toBeNull();
    expect(parseContentLength(undefined)).toBeNull();
  });
});
