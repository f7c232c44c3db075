import { GAMES, chooseBotMove, createRng } from "./index.ts";
const def = GAMES.chess;
const t00 = performance.now();
for (let g = 0; g < 12; g++) {
    let s: any = def.setup("x" + g);
    const t0 = performance.now(); let n = 0;
    let maxT = 0;
    while (def.toMove(s) !== null && n < 2000) {
      const seat = def.toMove(s)!;
      const t = performance.now();
      const m = chooseBotMove(def, s, seat, createRng(`x${g}:${n}`));
      maxT = Math.max(maxT, performance.now() - t);
      const r = def.apply(s, m, seat);
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      s = r.state; n++;
    }
    console.log(def.id, n, def.result(s), ((performance.now() - t0) / n).toFixed(2), "ms/ply", "max", maxT.toFixed(1), s.fen);
}
console.log("total", performance.now()-t00);
