import { createRequire } from 'node:module';
import type { SaxesParser as SaxesParserType } from 'saxes';
import { S3Error } from './s3-error.js';

// Loaded on the first XML body (synchronously: saxes is CommonJS), not at start-up, which most
// requests never need and which it would lengthen by about 8 ms.
const require = createRequire(import.meta.url);
let SaxesParser: typeof SaxesParserType | undefined;

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/**
 * A value tree rendered as nested elements; arrays repeat the element, undefined omits it; an
 * XmlContent is the element's content already rendered.
 */
export type XmlValue = string | number | boolean | undefined | XmlContent | XmlTree | XmlValue[];
export interface XmlTree {
  [element: string]: XmlValue;
}

/**
 * An element's content rendered ahead (with textElement): what a 1,000-key listing repeats
 * 1,000 times, written without a tree of objects per key and a walk over it, which were half of
 * a listing's CPU time.
 */
export class XmlContent {
  constructor(readonly xml: string) {}
}

/** Text content escaped as xmlbuilder2 serialises it (`&`, `<`, `>`); control characters as S3 writes them. */
function escapeText(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[&<>\x00-\x08\x0B-\x1F]/.test(text)) return text;
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // A key may contain "\r": raw, XML parsers would normalise it away; S3 writes a character reference.
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0B-\x1F]/g, (c) => `&#${c.charCodeAt(0)};`)
  );
}

/** An element holding text (a number or boolean as String gives it), as renderXml writes one; '' for undefined. */
export function textElement(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return text === '' ? `<${name}/>` : `<${name}>${escapeText(text)}</${name}>`;
}

function appendValue(parts: string[], name: string, value: XmlValue): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) appendValue(parts, name, item);
    return;
  }
  if (value instanceof XmlContent) {
    parts.push(value.xml === '' ? `<${name}/>` : `<${name}>${value.xml}</${name}>`);
    return;
  }
  if (typeof value === 'object') {
    const opening = parts.length;
    parts.push(`<${name}>`);
    for (const [child, childValue] of Object.entries(value)) appendValue(parts, child, childValue);
    if (parts.length === opening + 1) parts[opening] = `<${name}/>`;
    else parts.push(`</${name}>`);
    return;
  }
  parts.push(textElement(name, value));
}

/** One element as renderXml writes it inside a document ('' for undefined). */
export function xmlElement(name: string, value: XmlValue): string {
  const parts: string[] = [];
  appendValue(parts, name, value);
  return parts.join('');
}

/**
 * Renders a root element holding `content` (elements, or text) as an S3 XML document, with S3's
 * namespace unless `xmlns` is null. Written out directly rather than through xmlbuilder2's DOM,
 * which was 80% of a 1,000-key listing's CPU; the output is xmlbuilder2's byte for byte (a unit
 * test compares them).
 */
export function renderXml(rootName: string, content: XmlTree | string, xmlns: string | null = S3_XMLNS): string {
  const parts = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const opening = xmlns ? `<${rootName} xmlns="${xmlns}"` : `<${rootName}`;
  parts.push(`${opening}>`);
  if (typeof content === 'string') {
    if (content !== '') parts.push(escapeText(content));
  } else {
    for (const [name, value] of Object.entries(content)) appendValue(parts, name, value);
  }
  if (parts.length === 2) parts[1] = `${opening}/>`;
  else parts.push(`</${rootName}>`);
  return parts.join('');
}

/** An element of a request document. */
export interface XmlElement {
  /** As written, a prefix included: S3's documents use the default namespace only. */
  name: string;
  children: XmlElement[];
  /** The element's own character data (text and CDATA) with every reference decoded once and whitespace kept. */
  text: string;
}

/** What a request document may hold: its root, and the element under the root that repeats up to a limit. */
export interface XmlDocumentShape {
  root: string;
  repeated: string;
  maxRepeated: number;
}

/** S3's request documents are three levels deep (Delete → Object → Key); one more is slack. */
const MAX_DEPTH = 4;
/** S3's documents carry at most `xmlns` (and clients sometimes `xmlns:xsi`); attributes mean nothing in them. */
const MAX_ATTRIBUTES = 8;
/** Elements per repeated entry (Part: PartNumber, ETag, five checksums …), and outside them (Quiet …). */
const MAX_ELEMENTS_PER_ENTRY = 16;

const UTF8_NAMES = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

const malformed = () => new S3Error('MalformedXML');

/**
 * Parses a request document (DeleteObjects, CompleteMultipartUpload) from its bytes into its
 * root element. Linear in its input and stopped at the first thing that breaks `shape` or S3's
 * limits (depth, attributes, the 1,001st `<Object>` or 10,001st `<Part>`), so that no body under
 * the byte caps can hold the event loop. The predefined entities and character references are
 * decoded once; anything else the DTD could bring (DOCTYPE, entity declarations, unknown entity
 * references) is refused, as are bytes that are not UTF-8 and other declared encodings.
 *
 * @throws S3Error MalformedXML (400) for any body that is not such a document; S3 answers a
 * DeleteObjects of more than 1,000 keys so (https://github.com/aws/aws-sdk-java/issues/1293).
 * Documents: https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 */
export function parseXml(body: Uint8Array, shape: XmlDocumentShape): XmlElement {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw malformed();
  }
  const maxElements = (shape.maxRepeated + 1) * MAX_ELEMENTS_PER_ENTRY;
  const open: XmlElement[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  let repeated = 0;
  let attributes = 0;

  // Seven handlers at most: an eighth turns the parser into a dictionary-mode object, four times slower.
  SaxesParser ??= (require('saxes') as typeof import('saxes')).SaxesParser;
  const parser = new SaxesParser({ position: false });
  parser.on('doctype', () => {
    throw malformed();
  });
  parser.on('opentagstart', ({ name }) => {
    // Counted as the tag starts, before its attributes are read.
    if (open.length === MAX_DEPTH || ++elements > maxElements) throw malformed();
    if (open.length === 0) {
      // The declaration, if any, has been read by now.
      const { encoding } = parser.xmlDecl;
      if (name !== shape.root || (encoding !== undefined && !UTF8_NAMES.has(encoding.toLowerCase()))) throw malformed();
    }
    if (open.length === 1 && name === shape.repeated && ++repeated > shape.maxRepeated) throw malformed();
    attributes = 0;
  });
  parser.on('attribute', () => {
    if (++attributes > MAX_ATTRIBUTES) throw malformed();
  });
  parser.on('opentag', ({ name }) => {
    const element: XmlElement = { name, children: [], text: '' };
    const parent = open.at(-1);
    if (parent) parent.children.push(element);
    else root = element;
    open.push(element);
  });
  parser.on('closetag', () => {
    open.pop();
  });
  const appendText = (data: string) => {
    const current = open.at(-1);
    if (current) current.text += data;
  };
  parser.on('text', appendText);
  parser.on('cdata', appendText);

  try {
    parser.write(text).close();
  } catch (error) {
    if (error instanceof S3Error) throw error;
    throw malformed();
  }
  if (!root) throw malformed();
  return root;
}

/** The child elements of `element` named `name`, in document order. */
export function childElements(element: XmlElement | undefined, name: string): XmlElement[] {
  return element ? element.children.filter((child) => child.name === name) : [];
}

/** Text content of a leaf element ('' for `<Key/>`), or undefined when it is absent or has child elements. */
export function textOf(element: XmlElement | undefined): string | undefined {
  return element && element.children.length === 0 ? element.text : undefined;
}
