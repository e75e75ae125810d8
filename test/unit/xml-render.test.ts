import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { XmlContent, renderXml, textElement, xmlElement, type XmlTree, type XmlValue } from '../../src/s3/xml.js';

// The reference: the same document built through xmlbuilder2's DOM (what renderXml used to do).
const require = createRequire(import.meta.url);
const xmlbuilder2 = require('xmlbuilder2') as typeof import('xmlbuilder2');
type Builder = ReturnType<ReturnType<typeof xmlbuilder2.create>['ele']>;

function referenceAppend(parent: Builder, name: string, value: XmlValue): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) referenceAppend(parent, name, item);
    return;
  }
  const element = parent.ele(name);
  if (typeof value === 'object') {
    for (const [child, childValue] of Object.entries(value)) referenceAppend(element, child, childValue);
  } else if (String(value) !== '') {
    element.txt(String(value));
  }
}

function referenceRender(rootName: string, content: XmlTree | string, xmlns: string | null): string {
  const doc = xmlbuilder2.create({ version: '1.0', encoding: 'UTF-8' });
  const root = xmlns ? doc.ele(xmlns, rootName) : doc.ele(rootName);
  if (typeof content === 'string') {
    if (content !== '') root.txt(content);
  } else {
    for (const [name, value] of Object.entries(content)) referenceAppend(root, name, value);
  }
  // eslint-disable-next-line no-control-regex
  return root.end().replace(/[\x00-\x08\x0B\x0C\x0D\x0E-\x1F]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const TEXTS = ['', 'plain', 'a&b<c>d"e\'f', 'tab\tnew\nline', 'cr\rnul\u0000bell\u0007esc\u001b', 'é 😀 \u2028', ']]>', 'AT&T &x'];

describe('renderXml', () => {
  it('writes what xmlbuilder2 writes for every kind of value', () => {
    const trees: Array<[string, XmlTree | string, string | null]> = [
      ['Error', { Code: 'NoSuchKey', Message: 'The specified key does not exist.', Key: 'a/b', RequestId: 'R1', HostId: '' }, null],
      ['ListBucketResult', { Name: 'b', Prefix: '', Delimiter: undefined, MaxKeys: 1000, IsTruncated: false, Contents: [], CommonPrefixes: [] }, NS],
      [
        'ListBucketResult',
        {
          Contents: TEXTS.map((key, i) => ({ Key: key, Size: i, Owner: i % 2 ? { ID: 'x', DisplayName: key } : undefined, Empty: {} })),
          CommonPrefixes: [{ Prefix: 'p/' }, { Prefix: 'q&/' }],
        },
        NS,
      ],
      ['LocationConstraint', '', NS],
      ['LocationConstraint', 'eu-west-1', NS],
      ['Nested', { A: { B: { C: [1, 2, { D: true }] } }, E: [[{ F: 'x' }], 'y'] }, NS],
      ...TEXTS.map((text): [string, XmlTree | string, string | null] => ['Text', { Value: text, Again: [text, text] }, NS]),
      ...TEXTS.map((text): [string, XmlTree | string, string | null] => ['Root', text, null]),
    ];
    for (const [root, content, xmlns] of trees) {
      expect(renderXml(root, content, xmlns)).toBe(referenceRender(root, content, xmlns));
    }
  });

  it('escapes an & that looks like an entity reference (xmlbuilder2 passed "&amp;" through, so a client read back "&")', () => {
    expect(renderXml('R', { Key: '&amp;&#13;' }, null)).toBe('<?xml version="1.0" encoding="UTF-8"?><R><Key>&amp;amp;&amp;#13;</Key></R>');
  });

  it('writes control characters in keys as character references, as S3 does', () => {
    expect(renderXml('R', { Key: 'a\rb\u0001' }, null)).toBe('<?xml version="1.0" encoding="UTF-8"?><R><Key>a&#13;b&#1;</Key></R>');
  });
});

describe('content rendered ahead (XmlContent, textElement, xmlElement)', () => {
  it('gives the document the same tree gives, for every kind of text', () => {
    const owner = { ID: 'abc', DisplayName: 'a&b' };
    const entries = TEXTS.map((text, i) => ({ Key: text, Size: i, Flag: i % 2 === 0, Missing: undefined, Owner: owner, StorageClass: 'STANDARD' }));
    const tree = renderXml('ListBucketResult', { Name: 'b', Contents: entries }, NS);
    const ahead = renderXml(
      'ListBucketResult',
      {
        Name: 'b',
        Contents: entries.map(
          (e) =>
            new XmlContent(
              textElement('Key', e.Key) + textElement('Size', e.Size) + textElement('Flag', e.Flag) + textElement('Missing', e.Missing) + xmlElement('Owner', e.Owner) + textElement('StorageClass', e.StorageClass),
            ),
        ),
      },
      NS,
    );
    expect(ahead).toBe(tree);
    expect(ahead).toBe(referenceRender('ListBucketResult', { Name: 'b', Contents: entries }, NS));
  });

  it('writes empty content as an empty element', () => {
    expect(renderXml('R', { Empty: new XmlContent(''), Full: new XmlContent('<A>1</A>') }, null)).toBe('<?xml version="1.0" encoding="UTF-8"?><R><Empty/><Full><A>1</A></Full></R>');
  });
});
