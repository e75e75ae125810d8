import { OPERATIONS, SMLL_GRANTED_ACTIONS } from '../../src/operations/table.js';
import type { OperationSpec } from '../../src/operations/types.js';

function addressOf(spec: OperationSpec): string {
  const path = spec.target === 'service' ? '/' : spec.target === 'bucket' ? '/BUCKET' : '/BUCKET/KEY';
  const query = spec.subresource ? `?${spec.subresource}` : spec.queryValue ? `?${spec.queryValue.join('=')}` : '';
  const header = spec.header ? ` + \`${spec.header}\`` : '';
  return `\`${spec.method} ${path}${query}\`${header}`;
}

function outcomeOf(spec: OperationSpec): string {
  if (!SMLL_GRANTED_ACTIONS.includes(spec.action)) return spec.handler ? '403 AccessDenied (served when granted with `--allow`)' : '403 AccessDenied';
  if (spec.handler) return 'served';
  return spec.unimplementedReason ? `501 NotImplemented (${spec.unimplementedReason})` : '501 NotImplemented (not yet)';
}

/** The README's operation table, rendered from the same rows routing and authorization use. */
export function renderOperationTable(): string {
  const lines = ['| operation | request | IAM action | with SMLL credentials |', '|---|---|---|---|'];
  for (const spec of OPERATIONS) {
    lines.push(`| ${spec.name} | ${addressOf(spec)} | \`${spec.action}\` | ${outcomeOf(spec)} |`);
  }
  return lines.join('\n');
}
