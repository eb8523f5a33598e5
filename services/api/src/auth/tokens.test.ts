import { describe, expect, it } from 'vitest';
import { loadConfig } from '@belofte/shared/config';
import { Authority, bearerToken } from './tokens.ts';

const W = 'wallboard-token-0001';
const M = 'manager-token-000001';
const A = 'agent-anna-token-0001';
const B = 'agent-bram-token-0001';

const configured = new Authority(loadConfig({ WALLBOARD_TOKENS: W, MANAGER_TOKENS: `Marieke=${M}`, AGENT_TOKENS: `Anna de Vries=${A},Bram=${B}` }));
const none = new Authority(loadConfig({}));

describe('Authority', () => {
  it('lets each role in where it belongs', () => {
    expect(configured.decide(W, { kind: 'wallboard' })).toMatchObject({ ok: true, principal: { role: 'wallboard' } });
    expect(configured.decide(M, { kind: 'wallboard' })).toMatchObject({ ok: true, principal: { role: 'manager', name: 'Marieke' } });
    expect(configured.decide(M, { kind: 'agent', agent: 'Bram' })).toMatchObject({ ok: true });
    expect(configured.decide(A, { kind: 'agent', agent: 'Anna de Vries' })).toMatchObject({ ok: true, principal: { role: 'agent', agent: 'Anna de Vries' } });
  });
  it('answers 401 for no or an unknown token, 403 for the wrong role or another agent', () => {
    expect(configured.decide(null, { kind: 'manager' })).toMatchObject({ ok: false, status: 401, error: 'unauthorized' });
    expect(configured.decide('not-a-token-at-all-x', { kind: 'wallboard' })).toMatchObject({ ok: false, status: 401 });
    expect(configured.decide(W, { kind: 'manager' })).toMatchObject({ ok: false, status: 403, error: 'forbidden' });
    expect(configured.decide(A, { kind: 'wallboard' })).toMatchObject({ ok: false, status: 403 });
    const other = configured.decide(A, { kind: 'agent', agent: 'Bram' });
    expect(other).toMatchObject({ ok: false, status: 403 });
    expect(!other.ok && other.message).toMatch(/agent "Anna de Vries".*only that agent's own figures/);
  });
  it('with no tokens: the wallboard is open, the rest says how to configure', () => {
    expect(none.decide(null, { kind: 'wallboard' })).toMatchObject({ ok: true, principal: null });
    const m = none.decide(null, { kind: 'manager' });
    expect(m).toMatchObject({ ok: false, status: 403, error: 'not_configured' });
    expect(!m.ok && m.message).toMatch(/MANAGER_TOKENS/);
    expect(none.decide(null, { kind: 'agent', agent: 'x' })).toMatchObject({ ok: false, error: 'not_configured' });
  });
  it('reads only a well-formed bearer header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
