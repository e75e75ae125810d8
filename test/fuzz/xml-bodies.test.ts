/**
 * Request-body XML (DeleteObjects, CompleteMultipartUpload), fuzzed through the real server, signed
 * and with a correct Content-MD5 so that the parser is reached: valid documents with hostile keys
 * and ETags, and anything XML-shaped (attributes, DOCTYPE and entities, CDATA, comments,
 * processing instructions, deep nesting, character references, broken markup). Every body gets a
 * success or a catalogued S3 error (MalformedXML, InvalidPart …) quickly.
 * Bodies: https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { BUCKET, assertStillServing, fuzz, fuzzTarget, hostileText, sendSigned } from './harness.js';

const target = fuzzTarget();

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const name = fc.oneof(fc.constantFrom('Delete', 'Object', 'Key', 'VersionId', 'Quiet', 'CompleteMultipartUpload', 'Part', 'PartNumber', 'ETag', 'ChecksumCRC32', 'a', 'x:Key'), fc.stringMatching(/^[A-Za-z_][\w.-]{0,8}$/));
const text = fc.oneof(
  hostileText(30).map(escapeXml),
  fc.constantFrom('&#13;', '&amp;#13;', '&#x0;', '&#0;', '&#xD800;', '&#1114112;', '&lt;', '&bogus;', '&', '<![CDATA[a]]>', '<!-- c -->', '<?pi x?>', ']]>', 'true', '1', '10001', '-1', '"etag"'),
);
const attributes = fc.array(fc.tuple(name, hostileText(10).map(escapeXml)), { maxLength: 6 }).map((pairs) => pairs.map(([n, v], i) => ` ${n}${i}="${v}"`).join(''));
const { element } = fc.letrec<{ element: string }>((tie) => ({
  element: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.tuple(name, attributes, fc.array(tie('element'), { maxLength: 4 })).map(([n, attrs, children]) => `<${n}${attrs}>${children.join('')}</${n}>`),
  ),
}));
const prologue = fc.constantFrom(
  '',
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<?xml version="1.1"?>',
  '<?xml version="1.0" encoding="ISO-8859-1"?>',
  '<!DOCTYPE Delete [<!ENTITY e "x">]>',
  '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
  '<!DOCTYPE d SYSTEM "file:///etc/passwd">',
  '\ufeff',
);
/** Well-formed documents S3 reads, with hostile values, and their shape broken in small ways. */
const deleteDocument = fc
  .tuple(fc.array(fc.tuple(text, fc.option(text)), { maxLength: 5 }), fc.option(fc.constantFrom('true', 'false', 'TRUE', '1', '')))
  .map(([objects, quiet]) =>
    `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${quiet === null ? '' : `<Quiet>${quiet}</Quiet>`}` +
    objects.map(([key, version]) => `<Object><Key>${key}</Key>${version === null ? '' : `<VersionId>${version}</VersionId>`}</Object>`).join('') +
    '</Delete>',
  );
const completeDocument = fc
  .array(fc.tuple(fc.oneof(fc.integer({ min: -1, max: 10001 }).map(String), text), text), { maxLength: 5 })
  .map((parts) => `<CompleteMultipartUpload>${parts.map(([number, etag]) => `<Part><PartNumber>${number}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`);
const deep = fc.integer({ min: 1, max: 3000 }).map((depth) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`);
const manyAttributes = fc.integer({ min: 1, max: 3000 }).map((count) => `<Delete ${Array.from({ length: count }, (_, i) => `a${i}="v"`).join(' ')}><Object><Key>k</Key></Object></Delete>`);
const body = fc
  .tuple(prologue, fc.oneof(deleteDocument, completeDocument, element, deep, manyAttributes), fc.option(fc.tuple(fc.nat(), fc.nat({ max: 8 }))))
  .map(([head, document, cut]) => {
    const whole = head + document;
    if (cut === null) return whole;
    // Broken markup: a slice of the document cut out.
    const at = cut[0] % (whole.length + 1);
    return whole.slice(0, at) + whole.slice(at + cut[1]);
  });

describe('XML request bodies', () => {
  it('every body of DeleteObjects and CompleteMultipartUpload gets a catalogued answer', async () => {
    await fuzz('xml bodies', [fc.constantFrom('delete', 'complete'), body], async (operation, xml) => {
      const bytes = Buffer.from(xml, 'utf8');
      const headers = { 'content-md5': createHash('md5').update(bytes).digest('base64') };
      if (operation === 'delete') {
        await sendSigned(target, { method: 'POST', rawPath: `/${BUCKET}`, rawQuery: 'delete', headers, body: bytes });
      } else {
        const rawPath = `/${BUCKET}/xml/upload`;
        const created = await sendSigned(target, { method: 'POST', rawPath, rawQuery: 'uploads' });
        const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body.toString())![1];
        await sendSigned(target, { method: 'PUT', rawPath, rawQuery: `partNumber=1&uploadId=${uploadId}`, body: Buffer.from('part one') });
        const completed = await sendSigned(target, { method: 'POST', rawPath, rawQuery: `uploadId=${uploadId}`, headers, body: bytes });
        if (completed.status !== 200) await sendSigned(target, { method: 'DELETE', rawPath, rawQuery: `uploadId=${uploadId}` });
      }
      await assertStillServing(target);
    });
  });
});
