/**
 * Drives the AlarmSounder from the queue: rings while a real alarm waits to be taken, rings at
 * once when another one arrives, chimes once for a test alarm (sounder.ts lifts the browser's
 * autoplay block on the first click or key press).
 */
import type { AlarmDto } from '@anxin/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AlarmSounder, SounderState } from './AlarmSounder';
import { alarmSounder } from './sounder';
import { newAlarmIds, ringPattern, type RingPattern } from './plan';

export interface AlarmSound {
  state: SounderState;
  pattern: RingPattern;
  muted: boolean;
  toggleMute: () => void;
  enable: () => void;
}

export function useAlarmSound(alarms: readonly AlarmDto[]): AlarmSound {
  const sounderRef = useRef<AlarmSounder | null>(null);
  const [state, setState] = useState<SounderState>('blocked');
  const [muted, setMuted] = useState(false);
  const previous = useRef<readonly AlarmDto[]>([]);
  const pattern = ringPattern(alarms);

  useEffect(() => {
    const sounder = alarmSounder();
    sounderRef.current = sounder;
    setState(sounder.state);
    const unsubscribe = sounder.subscribe(setState);
    return () => {
      unsubscribe();
      sounder.setPattern(null); // the console is gone (signed out): stop ringing
      sounderRef.current = null;
    };
  }, []);

  useEffect(() => {
    sounderRef.current?.setMuted(muted);
  }, [muted]);

  useEffect(() => {
    const sounder = sounderRef.current;
    if (sounder === null) return;
    const fresh = new Set(newAlarmIds(previous.current, alarms));
    previous.current = alarms;
    const patternBefore = sounder.currentPattern;
    sounder.setPattern(pattern);
    if (fresh.size === 0) return;
    const arrived = alarms.filter((a) => fresh.has(a.id) && a.status === 'open');
    // setPattern already sounded if the pattern changed; otherwise ring again for the newcomer.
    if (arrived.some((a) => !a.test) && patternBefore === pattern) sounder.ringNow();
    else if (pattern === null && arrived.some((a) => a.test)) sounder.chime();
  }, [alarms, pattern]);

  const toggleMute = useCallback(() => setMuted((m) => !m), []);
  const enable = useCallback(() => {
    void sounderRef.current?.enable();
  }, []);

  return { state, pattern, muted, toggleMute, enable };
}
