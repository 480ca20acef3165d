'use client';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

/**
 * Live refresh: a shared clock that ticks every 30 s (so preset windows slide) and the SWR refresh
 * interval; pausing freezes both, so what is on screen stays put while someone reads it.
 */
export const REFRESH_MS = 30_000;
const PAUSE_KEY = 'ct-refresh-paused';

const tick = () => Math.floor(Date.now() / REFRESH_MS) * REFRESH_MS;

interface Live {
  now: number;
  paused: boolean;
  setPaused: (paused: boolean) => void;
  refreshInterval: number;
}

const LiveContext = createContext<Live>({ now: tick(), paused: false, setPaused: () => undefined, refreshInterval: REFRESH_MS });

export function LiveProvider({ children }: { children: ReactNode }) {
  const [now, setNow] = useState(tick);
  const [paused, setPausedState] = useState(() => {
    try {
      return window.sessionStorage.getItem(PAUSE_KEY) === '1';
    } catch {
      return false;
    }
  });

  const setPaused = useCallback((p: boolean) => {
    setPausedState(p);
    try {
      window.sessionStorage.setItem(PAUSE_KEY, p ? '1' : '0');
    } catch {
      // Storage may be disabled; the toggle still works for this page view.
    }
    if (!p) setNow(tick());
  }, []);

  useEffect(() => {
    if (paused) return;
    const id = window.setInterval(() => setNow(tick()), REFRESH_MS);
    return () => window.clearInterval(id);
  }, [paused]);

  const value = useMemo(() => ({ now, paused, setPaused, refreshInterval: paused ? 0 : REFRESH_MS }), [now, paused, setPaused]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export const useLive = () => useContext(LiveContext);
