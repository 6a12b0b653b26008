import { createTheme } from '@mantine/core';

// Larger than default type: operators read this for 24 h, often from a step back. Fonts fall back
// through the common Chinese system fonts so zh-CN never renders as boxes.
const fontFamily =
  'system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", sans-serif';

export const theme = createTheme({
  fontFamily,
  headings: { fontFamily },
  primaryColor: 'blue',
  // Shade 8 keeps white text on filled buttons above WCAG AA 4.5:1.
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'sm',
  fontSizes: { xs: '0.8rem', sm: '0.9rem', md: '1rem', lg: '1.15rem', xl: '1.35rem' },
  focusRing: 'auto',
  // No dialog fades for users who asked their system for less motion.
  respectReducedMotion: true,
});
