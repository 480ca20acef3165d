'use client';
import useSWR from 'swr';
import { fetchJson } from '@/components/data/fetcher';
import type { Role, SessionResponse } from '@/components/data/types';
import { isRole } from '@/lib/auth/roles';

export interface SessionUser {
  email: string;
  name: string;
  role: Role | null;
}

/** The signed-in user from next-auth; role drives what the nav offers (the API enforces it anyway). */
export function useSessionUser(): { user: SessionUser | null; loading: boolean } {
  const { data, isLoading } = useSWR<SessionResponse>('/api/auth/session', fetchJson<SessionResponse>, {
    revalidateOnFocus: false,
    shouldRetryOnError: false,
  });
  const u = data?.user;
  if (!u) return { user: null, loading: isLoading };
  const role = isRole(u.role) ? u.role : null;
  return { user: { email: u.email ?? '', name: u.name ?? u.email ?? '', role }, loading: false };
}

/** Acknowledge / assign / resolve are for support and admin (api.md role table). */
export function canAct(user: SessionUser | null): boolean {
  return user?.role === 'support' || user?.role === 'admin';
}
