/** Starting a built hub for the `hub` and `demo` commands. */
import type { Hub } from '@anxin/hub';

/**
 * The hub's listen(); if it fails, the database and whatever did start are released before the
 * error goes on, so the process can exit instead of hanging on open handles.
 */
export async function listenOrClose(hub: Hub): Promise<Awaited<ReturnType<Hub['listen']>>> {
  try {
    return await hub.listen();
  } catch (err) {
    await hub.close();
    throw err;
  }
}
