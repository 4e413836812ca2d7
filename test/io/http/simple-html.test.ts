/**
 * The PEP 503 page parser in linear time, whatever the page holds: the work
 * is measured in steps (characters looked at, counted by the parser's
 * Meter), never by a clock. A property over hostile pages built from the
 * pieces that used to cost the most (malformed attributes, unclosed quotes,
 * anchors, comments and tags), and pages of one such piece repeated at
 * growing sizes, whose work must grow in proportion.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PAGE_FILES, parseSimplePage } from '../../../src/io/http/simple-api.js';
import { type Meter, parseSimpleHtml } from '../../../src/io/http/simple-html.js';
import { check, runs } from '../../fuzz/fuzz.js';

/**
 * The most characters looked at per character of the page: a `&` inside an
 * attribute value is seen by the tokenizer once and by the entity decoder up
 * to three times (the reference's body, its end, the search for the next
 * `&`) — a page of `<a x="` and `&`s reaches about 4.2 (fast-check found
 * one at 161 steps for 39 characters). A constant: linear work.
 */
const STEPS_PER_CHAR = 5;

function stepsFor(html: string): { steps: number; anchors: number } {
  const meter: Meter = { steps: 0 };
  const { anchors } = parseSimpleHtml(html, { meter });
  return { steps: meter.steps, anchors: anchors.length };
}

const PIECES = [
  '<a =>x</a>',
  '<a href="x.whl">x.whl',
  '<a href=x.whl>',
  '<a x="',
  "<a x='y\" ",
  '<a',
  '<A HREF',
  '=',
  '"',
  "'",
  '<',
  '>',
  '/',
  '</a>',
  '</a',
  '</',
  '<!--',
  '-->',
  '<!DOCTYPE html>',
  '<?',
  '<script>',
  '</script>',
  '<style>',
  '<base href="',
  '&',
  '&amp;',
  '&#x2B;',
  '&#99999999999;',
  '&constructor;',
  '&#',
  ' ',
  '\n',
  'x',
  '<span>',
  '<abbr>',
  '\u009b',
  '\u0000',
];

/** A page: hostile pieces, some repeated many times, and any text. */
const hostilePage = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...PIECES) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...PIECES), fc.integer({ min: 2, max: 3000 })).map(([piece, times]) => piece.repeat(times)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

describe('parseSimpleHtml', () => {
  it(`looks at each character of any page at most ${STEPS_PER_CHAR} times (a property over hostile pages)`, () => {
    check(
      'simple-html: steps per character',
      hostilePage,
      (html) => {
        const { steps } = stepsFor(html);
        expect(steps).toBeGreaterThanOrEqual(html.length); // every character is looked at
        expect(steps).toBeLessThanOrEqual(STEPS_PER_CHAR * (html.length + 1));
      },
      runs(400),
    );
  });

  // Each piece repeated: 1×, 2× and 4× as many. Linear work grows 2× and 4× (a little slack for the page's ends).
  it.each([
    ['anchors left unclosed (80 000 of them took 6.5 s, quadratic)', '<a href="x.whl">x.whl', 20_000],
    ['a malformed attribute, which sent the old scanner back to the page\'s start forever', '<a =>x</a>', 10_000],
    ['quotes that never close', '<a x="', 20_000],
    ['mismatched quotes', "<a x='y\" ", 20_000],
    ['`<` that starts no tag', '<', 100_000],
    ['`&` references inside an anchor', '<a>&a&#1&amp', 20_000],
    ['comments that never close', '<!--', 30_000],
    ['raw-text tags that never close', '<script>', 20_000],
    ['end tags without names', '</', 50_000],
    ['tags inside anchor text', '<a href=x><b>', 20_000],
  ])('work grows linearly with the page: %s', (_what, piece, count) => {
    const [one, two, four] = [1, 2, 4].map((times) => stepsFor(piece.repeat(count * times)));
    expect(one!.steps).toBeGreaterThan(0);
    expect(one!.steps).toBeLessThanOrEqual(STEPS_PER_CHAR * piece.length * count + 8);
    expect(two!.steps / one!.steps).toBeLessThan(2.05);
    expect(four!.steps / one!.steps).toBeLessThan(4.1);
  });

  it('reads a malformed attribute as one and goes on: `<a =>x</a>`', () => {
    const { anchors } = parseSimpleHtml('<a =>x</a><a href="y-1.0.tar.gz">y-1.0.tar.gz</a>');
    expect(anchors.map((anchor) => [Object.fromEntries(anchor.attributes), anchor.text])).toEqual([
      [{ '=': '' }, 'x'],
      [{ href: 'y-1.0.tar.gz' }, 'y-1.0.tar.gz'],
    ]);
  });

  it('takes a quote that never closes as no value, and leaves script contents alone', () => {
    const { anchors } = parseSimpleHtml('<script>"<a href=no>"</script><a href="x.whl" data-x="oops>x.whl</a>');
    expect(anchors.map((anchor) => [anchor.attributes.get('href'), anchor.text])).toEqual([['x.whl', 'x.whl']]);
  });

  it('decodes no entity from the prototype: `&constructor;` stays as written', () => {
    const { anchors } = parseSimpleHtml('<a href="x&constructor;y">&toString;</a>');
    expect(anchors[0]!.attributes.get('href')).toBe('x&constructor;y');
    expect(anchors[0]!.text).toBe('&toString;');
  });
});

describe('parseSimplePage', () => {
  it(`refuses a page listing more than ${MAX_PAGE_FILES} files, HTML or JSON, without building them all`, () => {
    const url = 'https://mirror.example/simple/p/';
    const html = '<a href=1>'.repeat(MAX_PAGE_FILES + 1);
    expect(parseSimplePage({ url, contentType: 'text/html', body: '<a href=1>'.repeat(MAX_PAGE_FILES) })).toHaveLength(MAX_PAGE_FILES);
    expect(() => parseSimplePage({ url, contentType: 'text/html', body: html })).toThrow(/lists more than 200000 files/);
    const json = JSON.stringify({ files: Array.from({ length: MAX_PAGE_FILES + 1 }, () => ({ filename: 'a', url: 'a' })) });
    expect(() => parseSimplePage({ url, contentType: 'application/vnd.pypi.simple.v1+json', body: json })).toThrow(
      expect.objectContaining({ code: 'FETCH_BAD_RESPONSE' }),
    );
  });

  it('escapes what a broken JSON page quotes into the message', () => {
    const body = '{"files": [\n\u009b[2Jerror[FORGED]: x';
    expect(() => parseSimplePage({ url: 'https://m.example/simple/p/', contentType: 'application/json', body })).toThrow(
      expect.objectContaining({ message: expect.not.stringMatching(/[\u0000-\u001f\u007f-\u009f]/) }),
    );
  });
});
