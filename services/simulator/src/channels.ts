/**
 * Channel and bridge plumbing: Local channel pairs with their names and Uniqueids, dialplan
 * steps (Newexten), hangups, and bridges entered, left and destroyed. It owns the live
 * channels (CoreShowChannels lists them) and the id counters; what a channel is for is the
 * switch's business.
 */
import * as E from './events.ts';
import { sec, type Bridge, type Call, type Chan, type Io, type Role } from './model.ts';
import type { Rng } from './rng.ts';

export class Channels {
  private readonly liveChans = new Set<Chan>();
  private localSeq = 0;
  private uniqueSeq = 0;

  /** `rng` gives bridge ids: the switch's own stream, drawn in the order bridges are made. */
  constructor(
    private readonly io: Io,
    private readonly rng: Rng,
  ) {}

  /** Channels not hung up yet, in the order they were made. */
  get live(): ReadonlySet<Chan> {
    return this.liveChans;
  }

  /** A Local channel pair, Local/<exten>@<context>-XXXXXXXX;1 and ;2. */
  localPair(call: Call, exten: string, context: string, role: Role): [Chan, Chan] {
    const id = (this.localSeq++).toString(16).padStart(8, '0');
    const base = `Local/${exten}@${context}-${id}`;
    const one = this.newChan(call, `${base};1`, 0, context, exten, role);
    const two = this.newChan(call, `${base};2`, 4, context, exten, role);
    return [one, two];
  }

  private newChan(call: Call, name: string, state: number, context: string, exten: string, role: Role): Chan {
    const now = this.io.now();
    const uniqueid = `${sec(now)}.${this.uniqueSeq++}`;
    const chan: Chan = {
      name,
      state,
      callerNum: '<unknown>',
      callerName: '<unknown>',
      connectedNum: '<unknown>',
      connectedName: '<unknown>',
      language: 'en',
      accountCode: '',
      context,
      exten,
      priority: 1,
      uniqueid,
      linkedid: call.linkedid || uniqueid,
      role,
      call,
      createdMs: now,
      app: '',
      appData: '',
      bridge: null,
      alive: true,
    };
    call.chans.add(chan);
    this.liveChans.add(chan);
    return chan;
  }

  /** Newexten: the channel runs a dialplan application. */
  exten(c: Chan, app: string, appData: string): void {
    c.app = app;
    c.appData = appData;
    this.io.emit(E.newexten(c, app, appData));
  }

  /** Hangs the channel up (leaving its bridge first); nothing if it is gone already. */
  kill(c: Chan, cause: number): void {
    if (!c.alive) return;
    if (c.bridge) this.leaveBridge(c.bridge, c);
    c.alive = false;
    this.liveChans.delete(c);
    c.call.chans.delete(c);
    this.io.emit(E.hangup(c, cause));
  }

  newBridge(): Bridge {
    return { id: this.rng.uuid(), numChannels: 0, chans: new Set() };
  }

  enterBridge(b: Bridge, c: Chan): void {
    b.chans.add(c);
    b.numChannels = b.chans.size;
    c.bridge = b;
    this.io.emit(E.bridgeEnter(b, c));
  }

  /**
   * The bridge is destroyed when its last channel leaves, unless `keep`: an attended transfer
   * moves channels between bridges and destroys the consultation's bridge itself.
   */
  leaveBridge(b: Bridge, c: Chan, keep = false): void {
    if (!b.chans.has(c)) return;
    b.chans.delete(c);
    b.numChannels = b.chans.size;
    c.bridge = null;
    this.io.emit(E.bridgeLeave(b, c));
    if (b.numChannels === 0 && !keep) this.io.emit(E.bridgeDestroy(b));
  }
}
