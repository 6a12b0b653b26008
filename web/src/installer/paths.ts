/**
 * Installer links, in a module of their own: the page imports its sections and the sections link
 * back to pages, so keeping these in InstallerPage.tsx made an import cycle (issue 14). `link` is
 * the app's own (app/router.ts), re-exported for the installer's pages.
 */
export { link } from '../app/router';

export const homePath = (id: string) => `/installer/homes/${encodeURIComponent(id)}`;
