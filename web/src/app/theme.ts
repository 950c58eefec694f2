import { Menu, Modal, createTheme, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  // Mantine's default shade (6) is too light for text: white on blue-6, or blue-6 on white,
  // is 3.6:1. Shade 9 reaches WCAG AA (4.5:1) for blue, red and teal, filled or as text on
  // their light tint. Dark mode keeps shade 8 (white on it is 5:1).
  primaryShade: { light: 9, dark: 8 },
  // No sliding and fading for people who ask their system for less motion.
  respectReducedMotion: true,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontWeight: '600' },
  components: {
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } }),
    // Mantine writes a dialog's title bar as <header>: a second banner landmark on the page.
    ModalHeader: Modal.Header.extend({ defaultProps: { role: 'none' } }),
    // The focus placeholder Mantine puts first in a menu is a <div> inside role="menu", which
    // may hold menu items only; without it the first item takes the focus.
    Menu: Menu.extend({ defaultProps: { withInitialFocusPlaceholder: false } }),
  },
});

/**
 * Red for a destructive menu item. Mantine colours menu items with shade 6 whatever the
 * primary shade (3.3:1 on white); this is the red text colour of the scheme (shade 9 or 4).
 */
export const DANGER = 'var(--mantine-color-red-text)';

/** Secondary ("dimmed") text legible on white, light grey and the selection tint (WCAG AA, 4.5:1). */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': '#5c636a' },
  dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)' },
});
