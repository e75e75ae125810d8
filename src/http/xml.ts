import { createRequire } from 'node:module';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { S3Error } from './s3-error.js';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

// xmlbuilder2 (CommonJS, a DOM implementation underneath) is loaded on the first document rather
// than at import: it is the largest part of the emulator's start-up, and many runs (object
// reads and writes, HEAD) never render or parse XML.
const require = createRequire(import.meta.url);
let xmlbuilder2: typeof import('xmlbuilder2') | undefined;
const xmlLibrary = () => (xmlbuilder2 ??= require('xmlbuilder2') as typeof import('xmlbuilder2'));

/** A value tree rendered as nested elements; arrays repeat the element, undefined omits it. */
export type XmlValue = string | number | boolean | undefined | XmlTree | XmlValue[];
export interface XmlTree {
  [element: string]: XmlValue;
}

function appendValue(parent: XMLBuilder, name: string, value: XmlValue): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) appendValue(parent, name, item);
    return;
  }
  const element = parent.ele(name);
  if (typeof value === 'object') {
    for (const [child, childValue] of Object.entries(value)) appendValue(element, child, childValue);
  } else {
    const text = String(value);
    if (text !== '') element.txt(text);
  }
}

/**
 * xmlbuilder2 writes CR and other control characters raw, which XML parsers then normalise
 * away; S3 writes them as character references (a key may contain "\r"), so do the same.
 */
function escapeControlCharacters(xml: string): string {
  // eslint-disable-next-line no-control-regex
  return xml.replace(/[\x00-\x08\x0B\x0C\x0D\x0E-\x1F]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders a root element holding `content` (elements, or text) as an S3 XML document, with S3's namespace unless `xmlns` is null. */
export function renderXml(rootName: string, content: XmlTree | string, xmlns: string | null = S3_XMLNS): string {
  const doc = xmlLibrary().create({ version: '1.0', encoding: 'UTF-8' });
  const root = xmlns ? doc.ele(xmlns, rootName) : doc.ele(rootName);
  if (typeof content === 'string') {
    if (content !== '') root.txt(content);
  } else {
    for (const [name, value] of Object.entries(content)) appendValue(root, name, value);
  }
  return escapeControlCharacters(root.end());
}

export type ParsedXml = { [name: string]: ParsedXmlNode };
export type ParsedXmlNode = string | ParsedXml | ParsedXmlNode[];

/** Parses a small request document (DeleteObjects, CompleteMultipartUpload …); bad XML → MalformedXML. */
export function parseXml(text: string): ParsedXml {
  let parsed: unknown;
  try {
    parsed = xmlLibrary().convert(text, { format: 'object' });
  } catch {
    throw new S3Error('MalformedXML');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new S3Error('MalformedXML');
  return parsed as ParsedXml;
}

/** Elements named `name` under `node`, as a list (xmlbuilder2 gives one child as a value, several as an array). */
export function childElements(node: ParsedXmlNode | undefined, name: string): ParsedXmlNode[] {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return [];
  const found = stripNamespaceKeys(node)[name];
  if (found === undefined) return [];
  return Array.isArray(found) ? found : [found];
}

/** Text content of a leaf element ('' for `<Key/>`), or undefined when it is not a leaf. */
export function textOf(node: ParsedXmlNode | undefined): string | undefined {
  if (typeof node === 'string') return node;
  if (node !== undefined && !Array.isArray(node) && Object.keys(stripNamespaceKeys(node)).length === 0) return '';
  if (node !== undefined && !Array.isArray(node) && typeof node['#'] === 'string') return node['#'];
  return undefined;
}

function stripNamespaceKeys(node: ParsedXml): ParsedXml {
  const out: ParsedXml = {};
  for (const [k, v] of Object.entries(node)) if (!k.startsWith('@')) out[k] = v;
  return out;
}
