export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/**
 * The CSS custom properties that put the accent in place of indigo (Tailwind reads its colours from
 * `--color-*` variables): the hex for the mid shades, mixed with white or black for the light and
 * dark ones. Empty without a valid accent: nothing but a checked `#rrggbb` ever reaches a style.
 */
export function accentVariables(accent: string | undefined): Record<string, string> {
  if (accent === undefined || !HEX_COLOR.test(accent)) return {};
  const mix = (other: string, pct: number) => `color-mix(in srgb, ${accent} ${100 - pct}%, ${other})`;
  return {
    '--color-indigo-50': mix('white', 90),
    '--color-indigo-100': mix('white', 80),
    '--color-indigo-200': mix('white', 60),
    '--color-indigo-300': mix('white', 40),
    '--color-indigo-400': mix('white', 20),
    '--color-indigo-500': accent,
    '--color-indigo-600': accent,
    '--color-indigo-700': mix('black', 15),
    '--color-indigo-800': mix('black', 30),
    '--color-indigo-900': mix('black', 45),
    '--color-indigo-950': mix('black', 60),
  };
}
