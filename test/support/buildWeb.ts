/** vitest globalSetup: the API serves the built pages (web/dist), so build them once per run. */
import { writeWeb } from '../../web/build.ts';

export default async function setup(): Promise<void> {
  await writeWeb();
}
