/**
 * Plays the ring patterns with the Web Audio API (generated tones, no audio asset).
 *
 * Browsers start an AudioContext "suspended" until the user has interacted with the page
 * (autoplay policy), so `state` reports 'blocked' until `enable()` is called from a click or key
 * press; the console shows a prompt for that. The ring repeats on a timer while a pattern is set.
 */
import { PATTERN_TONES, RING_INTERVAL_S, type RingPattern, type Tone } from './plan';

export type SounderState = 'unsupported' | 'blocked' | 'ready';

type Listener = (state: SounderState) => void;

export class AlarmSounder {
  private context: AudioContext | null = null;
  private pattern: RingPattern = null;
  private muted = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly listeners = new Set<Listener>();

  constructor() {
    const Ctor = typeof window === 'undefined' ? undefined : window.AudioContext;
    if (Ctor === undefined) return;
    try {
      this.context = new Ctor();
      this.context.onstatechange = () => this.emit();
    } catch {
      this.context = null;
    }
  }

  get state(): SounderState {
    if (this.context === null) return 'unsupported';
    return this.context.state === 'running' ? 'ready' : 'blocked';
  }

  get currentPattern(): RingPattern {
    return this.pattern;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Call from a user gesture (click, key press) to lift the autoplay block. */
  async enable(): Promise<void> {
    if (this.context === null || this.context.state === 'running') return;
    try {
      await this.context.resume();
    } catch {
      // Still blocked: the prompt stays visible.
    }
    this.emit();
    if (this.pattern !== null) this.playOnce(this.pattern);
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
  }

  /** Starts, changes or stops the repeating ring; a new pattern sounds at once. */
  setPattern(pattern: RingPattern): void {
    if (pattern === this.pattern) return;
    this.pattern = pattern;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (pattern === null) return;
    this.playOnce(pattern);
    this.timer = setInterval(() => this.playOnce(pattern), RING_INTERVAL_S[pattern] * 1000);
  }

  /** Sounds at once (e.g. a new alarm arrived while the ring was already going). */
  ringNow(): void {
    if (this.pattern !== null) this.playOnce(this.pattern);
  }

  chime(): void {
    this.play(PATTERN_TONES.chime);
  }

  dispose(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
    if (this.context !== null) void this.context.close().catch(() => undefined);
    this.context = null;
  }

  private playOnce(pattern: Exclude<RingPattern, null>): void {
    this.play(PATTERN_TONES[pattern]);
  }

  private play(tones: readonly Tone[]): void {
    const context = this.context;
    if (this.muted || context === null || context.state !== 'running') return;
    const t0 = context.currentTime + 0.02;
    for (const tone of tones) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = tone.frequency;
      // Short attack and release so the tone does not click.
      const start = t0 + tone.start;
      const end = start + tone.duration;
      gain.gain.setValueAtTime(0, start);
      gain.gain.linearRampToValueAtTime(tone.gain, start + 0.015);
      gain.gain.setValueAtTime(tone.gain, end - 0.03);
      gain.gain.linearRampToValueAtTime(0, end);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start);
      oscillator.stop(end + 0.01);
    }
  }

  private emit(): void {
    const state = this.state;
    for (const listener of this.listeners) listener(state);
  }
}
