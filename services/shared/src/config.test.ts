import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl, thresholdsOf } from './config.ts';

describe('configuration', () => {
  it('has the charter defaults', () => {
    const c = loadConfig({});
    expect(thresholdsOf(c)).toEqual({ targetSeconds: 20, serviceLevelTarget: 0.8, guaranteeSeconds: 300, maxTransfers: 2, shortAbandonSeconds: 0 });
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.PORT).toBe(8080);
    expect(c.AMI_HOST).toBeUndefined();
    expect(c.BELOFTE_TIMEZONE).toBe('Europe/Amsterdam');
  });
  it('names every bad variable and the expected form', () => {
    try {
      loadConfig({ PORT: 'eighty', BELOFTE_TIMEZONE: 'Mars/Olympus', AMI_CLIENT: 'telnet' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/PORT="eighty"/);
      expect(msg).toMatch(/BELOFTE_TIMEZONE="Mars\/Olympus": must be an IANA time zone/);
      expect(msg).toMatch(/AMI_CLIENT="telnet"/);
    }
  });
  it('treats an empty variable as unset', () => {
    expect(loadConfig({ AMI_HOST: '' }).AMI_HOST).toBeUndefined();
  });
  it('never logs a Redis password', () => {
    expect(redactUrl('redis://user:s3cret@redis:6379/0')).not.toContain('s3cret');
  });
  it('reads tokens: bare, named, and agent id = token', () => {
    const c = loadConfig({
      WALLBOARD_TOKENS: ' tv-hal-0123456789abcdef , 0123456789abcdef0123== ',
      MANAGER_TOKENS: 'anna=manager-0123456789abcdef',
      AGENT_TOKENS: 'Anna de Vries=agent-0123456789abcdef,Bram%2C jr=agent-fedcba9876543210',
    });
    expect(c.WALLBOARD_TOKENS).toEqual([
      { name: null, token: 'tv-hal-0123456789abcdef' },
      { name: null, token: '0123456789abcdef0123==' },
    ]);
    expect(c.MANAGER_TOKENS).toEqual([{ name: 'anna', token: 'manager-0123456789abcdef' }]);
    expect(c.AGENT_TOKENS).toEqual([
      { name: 'Anna de Vries', token: 'agent-0123456789abcdef' },
      { name: 'Bram, jr', token: 'agent-fedcba9876543210' },
    ]);
    expect(loadConfig({}).MANAGER_TOKENS).toEqual([]);
  });
  it('refuses bad tokens without printing them', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ MANAGER_TOKENS: 'short' }, /MANAGER_TOKENS=\(hidden\): entry 1 of 1: a token must be 16 to 256/],
      [{ AGENT_TOKENS: 'agent-0123456789abcdef' }, /AGENT_TOKENS=\(hidden\): entry 1 of 1 must be <agent id>=<token>/],
      [{ WALLBOARD_TOKENS: 'tv-0123456789abcdef,,' }, /entry 2 of 3 is empty/],
      [{ WALLBOARD_TOKENS: 'same-0123456789abcdef', MANAGER_TOKENS: 'same-0123456789abcdef' }, /MANAGER_TOKENS.*repeats a token already given in WALLBOARD_TOKENS/],
      [{ AGENT_TOKENS: 'a=agent-0123456789abcdef,a=agent-0123456789abcdeX' }, /agent "a" has more than one token/],
    ];
    for (const [env, msg] of cases) {
      try {
        loadConfig(env);
        expect.unreachable();
      } catch (e) {
        expect((e as Error).message).toMatch(msg);
        expect((e as Error).message).not.toMatch(/0123456789abcdef|short/);
      }
    }
  });
  it('reads supervisor tokens, and refuses one that is also another role\'s', () => {
    expect(loadConfig({ SUPERVISOR_TOKENS: 'sanne=supervisor-0123456789abcdef' }).SUPERVISOR_TOKENS).toEqual([{ name: 'sanne', token: 'supervisor-0123456789abcdef' }]);
    expect(() => loadConfig({ SUPERVISOR_TOKENS: 'sanne=same-token-0123456789', MANAGER_TOKENS: 'same-token-0123456789' })).toThrow(/MANAGER_TOKENS=\(hidden\): entry 1 repeats a token already given in SUPERVISOR_TOKENS/);
  });
});
