// The browser's Web Audio and Web Speech behind the announcer's small interfaces.
import type { ChimePlayer, SpeechEngine, UtteranceLike } from './announcer.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Two soft tones (a "ding-dong"). Without a user gesture Chromium may keep audio suspended:
 * the wall screen's browser runs with --autoplay-policy=no-user-gesture-required, and any
 * touch on the screen resumes it too. */
export function createWebChime(): ChimePlayer | null {
  const Ctor = window.AudioContext as typeof AudioContext | undefined;
  if (Ctor === undefined) return null;
  let ctx: AudioContext | null = null;
  const context = () => {
    ctx ??= new Ctor();
    return ctx;
  };
  window.addEventListener('pointerdown', () => void context().resume(), { passive: true });
  return {
    async play() {
      const c = context();
      if (c.state === 'suspended') await Promise.race([c.resume(), sleep(300)]);
      if (c.state !== 'running') return false;
      const start = c.currentTime + 0.05;
      for (const [i, freq] of [880, 659.25].entries()) {
        const osc = c.createOscillator();
        const gain = c.createGain();
        const t0 = start + i * 0.45;
        osc.type = 'sine';
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, t0);
        gain.gain.exponentialRampToValueAtTime(0.35, t0 + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.8);
        osc.connect(gain).connect(c.destination);
        osc.start(t0);
        osc.stop(t0 + 0.85);
      }
      await sleep(1400);
      return true;
    },
  };
}

export function createWebSpeech(): SpeechEngine | null {
  if (!('speechSynthesis' in window) || typeof SpeechSynthesisUtterance === 'undefined')
    return null;
  const synth = window.speechSynthesis;
  return {
    getVoices: () => synth.getVoices(),
    speak: (utterance: UtteranceLike) => synth.speak(utterance as SpeechSynthesisUtterance),
    createUtterance: (text: string) =>
      new SpeechSynthesisUtterance(text) as unknown as UtteranceLike,
  };
}
