/**
 * Loads an exporter package only when the feature that needs it is switched on, so the core of
 * the library runs without any exporter installed (they are optional peer dependencies).
 */
export async function importOptional<T>(
  load: () => Promise<T>,
  pkg: string,
  feature: string,
  switchOff: string,
): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      String((err as Error).message).includes(pkg);
    if (!missing) throw err;
    throw new Error(
      `${feature} needs the optional peer dependency ${pkg}: install it (npm install ${pkg}) or set ${switchOff}`,
      { cause: err },
    );
  }
}
