// Small timing hooks shared by the views.
import { useEffect, useRef, useState } from 'react';

/** The current time, refreshed every `everyMs` (for waited minutes, clocks, pause timers). */
export function useNow(everyMs = 15_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/**
 * Calls `onIdle` after `timeoutMs` without a touch, click or key press while `active`.
 * Returns the seconds left, for a visible countdown.
 */
export function useIdle(active: boolean, timeoutMs: number, onIdle: () => void): number {
  const latest = useRef(onIdle);
  useEffect(() => {
    latest.current = onIdle;
  });
  const [left, setLeft] = useState(Math.ceil(timeoutMs / 1000));
  useEffect(() => {
    if (!active) return;
    let last = Date.now();
    const touch = () => {
      last = Date.now();
      setLeft(Math.ceil(timeoutMs / 1000));
    };
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
    for (const e of events) window.addEventListener(e, touch, { capture: true, passive: true });
    const timer = setInterval(() => {
      const remaining = timeoutMs - (Date.now() - last);
      setLeft(Math.max(0, Math.ceil(remaining / 1000)));
      if (remaining <= 0) {
        last = Date.now();
        latest.current();
      }
    }, 500);
    touch();
    return () => {
      clearInterval(timer);
      for (const e of events) window.removeEventListener(e, touch, { capture: true });
    };
  }, [active, timeoutMs]);
  return left;
}

/** A number from the page's query string (used to shorten timeouts in tests and demos). */
export function queryNumber(name: string, fallback: number): number {
  const raw = new URLSearchParams(window.location.search).get(name);
  const n = raw === null ? Number.NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

function fitZoom(width: number, height: number, min: number, max: number): number {
  const fit = Math.min(window.innerWidth / width, window.innerHeight / height);
  return Math.min(max, Math.max(min, fit));
}

/**
 * The zoom that fits a layout drawn for `width` × `height` CSS px into the window, within
 * [min, max]: the same desk at 1280×720 and at 4K, neither scrolling nor looking empty.
 * (CSS `zoom` scales lengths but not percentages, so a zoomed 100%-high grid still fills.)
 */
export function useFitZoom(width: number, height: number, min = 0.5, max = 3): number {
  const [zoom, setZoom] = useState(() => fitZoom(width, height, min, max));
  useEffect(() => {
    const onResize = () => setZoom(fitZoom(width, height, min, max));
    onResize();
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, [width, height, min, max]);
  return zoom;
}
