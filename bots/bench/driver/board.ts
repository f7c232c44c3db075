/**
 * The driver's whole knowledge of a Connect Four game: how many discs each
 * column holds. Enough to pick a legal column without replaying the rules
 * (the server validates every move; a driver that replayed the rules would
 * spend on its own side the CPU the benchmark is measuring on the server's).
 */

export const COLUMNS = 7;
export const ROWS = 6;

export class ColumnHeights {
  private readonly heights = new Array<number>(COLUMNS).fill(0);

  /** Empty board. */
  reset(): void {
    this.heights.fill(0);
  }

  /** Count the discs per column of a board (42 cells, row-major, row 0 at the bottom, -1 empty). */
  fromBoard(board: readonly number[]): void {
    this.reset();
    for (let cell = 0; cell < board.length && cell < COLUMNS * ROWS; cell++) {
      if (board[cell] !== -1) this.heights[cell % COLUMNS]!++;
    }
  }

  /** A disc went into `column` (a move string "0".."6"); ignored when it names no column. */
  drop(column: string | number): void {
    const c = Number(column);
    if (Number.isInteger(c) && c >= 0 && c < COLUMNS && this.heights[c]! < ROWS) this.heights[c]!++;
  }

  /** Discs in `column`. */
  height(column: number): number {
    return this.heights[column] ?? 0;
  }

  /** A column that is not full, drawn with `random` (0 ≤ r < 1); null when the board is full. */
  pick(random: () => number = Math.random): string | null {
    const open: number[] = [];
    for (let c = 0; c < COLUMNS; c++) if (this.heights[c]! < ROWS) open.push(c);
    if (open.length === 0) return null;
    return String(open[Math.min(open.length - 1, Math.floor(random() * open.length))]);
  }
}
