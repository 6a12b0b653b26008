/**
 * Installer links, in a module of their own: the page imports its sections and the sections link
 * back to pages, so keeping these in InstallerPage.tsx made an import cycle (issue 14).
 */
import type { MouseEvent } from 'react';
import { navigate } from '../app/router';

/** An anchor's props that navigate inside the app (a modified click still opens a new tab). */
export const link = (path: string) => ({
  href: path,
  onClick: (event: MouseEvent) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(path);
  },
});

export const homePath = (id: string) => `/installer/homes/${encodeURIComponent(id)}`;
