/**
 * The page's one AlarmSounder, created when the app starts. Creating the AudioContext early and
 * unlocking it on the first click or key press anywhere (the login button counts) means a console
 * opened by signing in can ring at once; a console restored by a reload shows the "enable sound"
 * prompt until the operator clicks.
 */
import { AlarmSounder } from './AlarmSounder';

let instance: AlarmSounder | null = null;

export function alarmSounder(): AlarmSounder {
  if (instance !== null) return instance;
  const sounder = new AlarmSounder();
  instance = sounder;
  const onGesture = (): void => {
    if (sounder.state === 'blocked') void sounder.enable();
  };
  window.addEventListener('pointerdown', onGesture, true);
  window.addEventListener('keydown', onGesture, true);
  return sounder;
}
