/** Board colours (numbers for Phaser graphics, strings for text). */
export const PALETTE = {
  background: 0x0f141b,
  // Connect Four
  c4Board: 0x2452c9,
  c4BoardEdge: 0x1a3c99,
  c4Hole: 0x0b1017,
  c4Discs: [0xe8484f, 0xf5c542] as const,
  c4DiscEdges: [0xa52a30, 0xc79a1c] as const,
  c4Win: 0xffffff,
  c4Hover: 0xffffff,
  c4Coord: "#8d9bb0",
  /** A queued premove (both games). */
  premove: 0x3a7bd5,
  // Chess
  light: 0xdee3e6,
  dark: 0x8ca2ad,
  lastMove: 0xcdd26a,
  selected: 0x14551e,
  hint: 0x14551e,
  check: 0xe0353b,
  coordOnLight: "#6f8794",
  coordOnDark: "#e6ecef",
  whitePiece: "#fbfbfb",
  whiteStroke: "#262626",
  blackPiece: "#1b1b1b",
  blackStroke: "#d8d8d8",
} as const;

export const PIECE_FONT =
  '"DejaVu Sans", "Noto Sans Symbols2", "Noto Sans Symbols", "Segoe UI Symbol", "Apple Symbols", sans-serif';
