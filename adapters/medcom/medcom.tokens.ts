/** DI token for the adapter's settings (derived from CONFIG once). */
export const MEDCOM_SETTINGS = Symbol('MedcomSettings');
