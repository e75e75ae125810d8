/**
 * The IAM action names a grant may give are exactly the actions the operation table needs: a
 * name granted (`allow`, `--allow`) always grants something, and every action a request can be
 * refused for can be granted.
 */
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/operations/table.js';
import { IAM_ACTIONS, isIamAction } from '../../src/s3/iam-actions.js';

describe('IAM_ACTIONS', () => {
  it('are the actions of the operation table, sources included', () => {
    const needed = new Set(OPERATIONS.flatMap((spec) => [spec.action, ...(spec.source ? [spec.source.action, spec.source.versionAction] : [])]));
    expect([...needed].sort()).toEqual([...IAM_ACTIONS].sort());
  });

  it('are recognised by their exact spelling only', () => {
    expect(isIamAction('s3:GetObjectVersion')).toBe(true);
    expect(isIamAction('s3:getobjectversion')).toBe(false);
    expect(isIamAction('GetObject')).toBe(false);
  });
});
