import { describe, expect, it } from 'vitest';
import { childElements, parseXml, renderXml, S3_XMLNS, textOf, type XmlDocumentShape, type XmlElement } from '../../src/s3/xml.js';
import { thrownS3Error } from './thrown-s3-error.js';

const DELETE: XmlDocumentShape = { root: 'Delete', repeated: 'Object', maxRepeated: 1000 };
const COMPLETE: XmlDocumentShape = { root: 'CompleteMultipartUpload', repeated: 'Part', maxRepeated: 10000 };

const MALFORMED_XML = {
  code: 'MalformedXML',
  status: 400,
  message: 'The XML you provided was not well-formed or did not validate against our published schema',
  fields: {},
};

const parse = (text: string | Buffer, shape = DELETE) => parseXml(typeof text === 'string' ? Buffer.from(text) : text, shape);
const keysOf = (root: XmlElement) => childElements(root, 'Object').map((object) => textOf(childElements(object, 'Key')[0]));
const keyOf = (text: string) => keysOf(parse(`<Delete><Object><Key>${text}</Key></Object></Delete>`))[0];
const refused = (text: string | Buffer, shape = DELETE) => thrownS3Error(() => parse(text, shape));

describe('parseXml: what a request document says', () => {
  it('reads a DeleteObjects document with S3 namespace, declaration and whitespace between elements', () => {
    const root = parse(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Delete xmlns="${S3_XMLNS}">\n  <Object><Key>a</Key><VersionId>v1</VersionId></Object>\n  <Object><Key>b/c</Key></Object>\n  <Quiet>true</Quiet>\n</Delete>\n`,
    );
    expect(root.name).toBe('Delete');
    expect(keysOf(root)).toEqual(['a', 'b/c']);
    expect(textOf(childElements(childElements(root, 'Object')[0], 'VersionId')[0])).toBe('v1');
    expect(textOf(childElements(root, 'Quiet')[0])).toBe('true');
  });

  it('reads documents without a namespace, as clients that build the XML themselves send them', () => {
    expect(keysOf(parse('<Delete><Object><Key>k</Key></Object></Delete>'))).toEqual(['k']);
  });

  it('decodes the five predefined entities and character references exactly once', () => {
    expect(keyOf('&amp;#13;')).toBe('&#13;');
    expect(keyOf('&#13;')).toBe('\r');
    expect(keyOf('&#xD;')).toBe('\r');
    expect(keyOf('&amp;')).toBe('&');
    expect(keyOf('&amp;amp;')).toBe('&amp;');
    expect(keyOf('&amp;lt;')).toBe('&lt;');
    expect(keyOf('&lt;&gt;&quot;&apos;&amp;')).toBe(`<>"'&`);
    expect(keyOf('&#233;&#x1F600;')).toBe('é😀');
  });

  it('keeps whitespace inside a key exactly, leading and trailing too', () => {
    for (const key of [' lead', 'trail ', '  both  ', ' ', 'tab\there', 'line\nbreak']) expect(keyOf(key)).toBe(key);
  });

  it('normalises a raw CR as XML says (a key with CR is sent as &#13;, as the SDKs and renderXml write it)', () => {
    expect(keyOf('a\r\nb\rc')).toBe('a\nb\nc');
  });

  it('reads CDATA sections as text, with markup in them left as it is', () => {
    expect(keyOf('<![CDATA[ <a> & &amp; ]]>')).toBe(' <a> & &amp; ');
    expect(keyOf('x<![CDATA[y]]>z')).toBe('xyz');
  });

  it('skips comments and processing instructions, inside a key too', () => {
    const root = parse('<?xml version="1.0"?><!-- c --><?pi data?><Delete><!-- x --><Object><Key>a<!-- y -->b<?pi?>c</Key></Object></Delete><!-- after -->');
    expect(keysOf(root)).toEqual(['abc']);
  });

  it('accepts a byte-order mark and UTF-8 text', () => {
    expect(keysOf(parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<Delete><Object><Key>日本語</Key></Object></Delete>')])))).toEqual(['日本語']);
  });

  it('accepts the encodings that are UTF-8, whatever their case', () => {
    for (const encoding of ['UTF-8', 'utf-8', 'utf8', 'US-ASCII']) {
      expect(keysOf(parse(`<?xml version="1.0" encoding="${encoding}"?><Delete><Object><Key>k</Key></Object></Delete>`))).toEqual(['k']);
    }
  });

  it('gives an empty element as empty text, and an element with children as no text', () => {
    const root = parse('<Delete><Object><Key/></Object><Object><Key><Inner/></Key></Object></Delete>');
    expect(keysOf(root)).toEqual(['', undefined]);
    expect(textOf(undefined)).toBeUndefined();
  });

  it('round-trips what renderXml writes, every reference decoded once', () => {
    for (const key of ['a & b', '<tag>', 'AT&T>', 'cr\r', `"q'`, 'plain', '&amp;#13;', ' sp ']) {
      expect(keysOf(parse(renderXml('Delete', { Object: { Key: key } })))).toEqual([key]);
    }
  });

  it('reads 1,000 keys and 10,000 parts, the most S3 takes', () => {
    const objects = Array.from({ length: 1000 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join('');
    expect(keysOf(parse(`<Delete>${objects}</Delete>`))).toHaveLength(1000);
    const parts = Array.from({ length: 10000 }, (_, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>"e"</ETag></Part>`).join('');
    expect(childElements(parse(`<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`, COMPLETE), 'Part')).toHaveLength(10000);
  });
});

describe('parseXml: every bad document is MalformedXML', () => {
  const cases: Array<[string, string | Buffer]> = [
    ['an empty body', ''],
    ['whitespace only', '  \n'],
    ['text, not XML', 'hello'],
    ['a truncated document', '<Delete><Object><Key>k</Key></Object>'],
    ['a document cut inside a tag', '<Delete><Object><Ke'],
    ['a document cut inside a reference', '<Delete><Object><Key>&am'],
    ['mismatched tags', '<Delete><Object><Key>k</Object></Key></Delete>'],
    ['a closing tag that was never opened', '<Delete></Object></Delete>'],
    ['the wrong root', '<Remove><Object><Key>k</Key></Object></Remove>'],
    ['the root with a prefix', '<s3:Delete xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>k</Key></Object></s3:Delete>'],
    ['two roots', '<Delete><Object><Key>k</Key></Object></Delete><Delete/>'],
    ['text after the root', '<Delete><Object><Key>k</Key></Object></Delete>junk'],
    ['a DOCTYPE', '<!DOCTYPE Delete><Delete><Object><Key>k</Key></Object></Delete>'],
    ['an entity declaration', '<!DOCTYPE Delete [<!ENTITY x "boom">]><Delete><Object><Key>&x;</Key></Object></Delete>'],
    ['an external entity', '<!DOCTYPE Delete [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>'],
    ['an unknown entity reference', '<Delete><Object><Key>&nbsp;</Key></Object></Delete>'],
    ['a bare ampersand', '<Delete><Object><Key>a & b</Key></Object></Delete>'],
    // XML 1.0 has no control characters but tab, LF and CR, raw or as references; S3 answers MalformedXML to both
    // (https://github.com/boto/boto3/issues/2005, https://github.com/basho/riak_cs/issues/974).
    ['a character reference to NUL', '<Delete><Object><Key>&#0;</Key></Object></Delete>'],
    ['a character reference to a control character', '<Delete><Object><Key>&#x1;</Key></Object></Delete>'],
    ['a character reference out of range', '<Delete><Object><Key>&#x110000;</Key></Object></Delete>'],
    ['a raw control character', '<Delete><Object><Key>a\u0001b</Key></Object></Delete>'],
    ['a duplicate attribute', '<Delete a="1" a="2"><Object><Key>k</Key></Object></Delete>'],
    ['an unquoted attribute', '<Delete a=1><Object><Key>k</Key></Object></Delete>'],
    ['a declaration after the start', ' <?xml version="1.0"?><Delete><Object><Key>k</Key></Object></Delete>'],
    ['another declared encoding', '<?xml version="1.0" encoding="ISO-8859-1"?><Delete><Object><Key>k</Key></Object></Delete>'],
    ['UTF-16 bytes', Buffer.from('\ufeff<?xml version="1.0" encoding="UTF-16"?><Delete><Object><Key>k</Key></Object></Delete>', 'utf16le')],
    ['bytes that are not UTF-8', Buffer.from([...Buffer.from('<Delete><Object><Key>'), 0xff, 0xfe, ...Buffer.from('</Key></Object></Delete>')])],
    ['a broken comment', '<Delete><!-- a -- b --><Object><Key>k</Key></Object></Delete>'],
    ['an unterminated CDATA section', '<Delete><Object><Key><![CDATA[k</Key></Object></Delete>'],
    ['a fifth level of nesting', '<Delete><Object><Key><A><B/></A></Key></Object></Delete>'],
    ['nine attributes on one element', `<Delete${Array.from({ length: 9 }, (_, i) => ` a${i}="1"`).join('')}><Object><Key>k</Key></Object></Delete>`],
    ['1,001 keys', `<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`],
  ];
  for (const [what, text] of cases) {
    it(`refuses ${what}`, () => {
      expect(refused(text)).toEqual(MALFORMED_XML);
    });
  }

  it('refuses 10,001 parts in a CompleteMultipartUpload', () => {
    const parts = '<Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>'.repeat(10001);
    expect(refused(`<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`, COMPLETE)).toEqual(MALFORMED_XML);
  });

  it('refuses a flood of other elements under the root once it exceeds what the entries could hold', () => {
    expect(refused(`<Delete><Object><Key>k</Key></Object>${'<Junk/>'.repeat(20000)}</Delete>`)).toEqual(MALFORMED_XML);
  });

  // The hostile bodies of issue 9 (they froze the server under xmlbuilder2): refused before most of the body is read.
  it('refuses the attribute bomb and deep nesting (issue 9), whatever follows the point where it stops', () => {
    const attributes = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="1"`).join('');
    for (const n of [30_000, 100_000]) expect(refused(`<Delete${attributes(n)}><Object><Key>k</Key></Object></Delete>`)).toEqual(MALFORMED_XML);
    const levels = Math.floor((2 * 1024 * 1024) / 7);
    expect(refused(`<Delete>${'<a>'.repeat(levels)}${'</a>'.repeat(levels)}</Delete>`)).toEqual(MALFORMED_XML);
    expect(refused(`<Delete>${'<a>'.repeat(levels * 2)}`)).toEqual(MALFORMED_XML);
  });
});
