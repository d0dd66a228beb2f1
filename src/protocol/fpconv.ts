/**
 * Grisu2 as Redis ≥ 7.2 has it (deps/fpconv/fpconv_dtoa.c, fpconv_powers.h):
 * the digits its d2string prints for a double. Grisu2 finds a short digit
 * string that reads back as the same double, not always the shortest or
 * closest one JavaScript prints (123456789012345678901234 is
 * 12345678901234569e7 here, 12345678901234568e7 in JS), so the C code is
 * followed step by step, in 64-bit unsigned arithmetic (BigInt, wrapping as C).
 */

const MASK = (1n << 64n) - 1n;
const u64 = (x: bigint): bigint => x & MASK;

const FRAC_MASK = 0x000fffffffffffffn;
const HIDDEN = 0x0010000000000000n;
const EXP_BIAS = 1023 + 52;

const TENS: readonly bigint[] = Array.from({ length: 20 }, (_, i) => 10n ** BigInt(19 - i));

/** powers_ten: normalized 10^(-348 + 8i), [frac, binary exponent]. */
const POWERS: ReadonlyArray<readonly [bigint, number]> = [
  [18054884314459144840n, -1220], [13451937075301367670n, -1193], [10022474136428063862n, -1166], [14934650266808366570n, -1140],
  [11127181549972568877n, -1113], [16580792590934885855n, -1087], [12353653155963782858n, -1060], [18408377700990114895n, -1034],
  [13715310171984221708n, -1007], [10218702384817765436n, -980], [15227053142812498563n, -954], [11345038669416679861n, -927],
  [16905424996341287883n, -901], [12595523146049147757n, -874], [9384396036005875287n, -847], [13983839803942852151n, -821],
  [10418772551374772303n, -794], [15525180923007089351n, -768], [11567161174868858868n, -741], [17236413322193710309n, -715],
  [12842128665889583758n, -688], [9568131466127621947n, -661], [14257626930069360058n, -635], [10622759856335341974n, -608],
  [15829145694278690180n, -582], [11793632577567316726n, -555], [17573882009934360870n, -529], [13093562431584567480n, -502],
  [9755464219737475723n, -475], [14536774485912137811n, -449], [10830740992659433045n, -422], [16139061738043178685n, -396],
  [12024538023802026127n, -369], [17917957937422433684n, -343], [13349918974505688015n, -316], [9946464728195732843n, -289],
  [14821387422376473014n, -263], [11042794154864902060n, -236], [16455045573212060422n, -210], [12259964326927110867n, -183],
  [18268770466636286478n, -157], [13611294676837538539n, -130], [10141204801825835212n, -103], [15111572745182864684n, -77],
  [11258999068426240000n, -50], [16777216000000000000n, -24], [12500000000000000000n, 3], [9313225746154785156n, 30],
  [13877787807814456755n, 56], [10339757656912845936n, 83], [15407439555097886824n, 109], [11479437019748901445n, 136],
  [17105694144590052135n, 162], [12744735289059618216n, 189], [9495567745759798747n, 216], [14149498560666738074n, 242],
  [10542197943230523224n, 269], [15709099088952724970n, 295], [11704190886730495818n, 322], [17440603504673385349n, 348],
  [12994262207056124023n, 375], [9681479787123295682n, 402], [14426529090290212157n, 428], [10748601772107342003n, 455],
  [16016664761464807395n, 481], [11933345169920330789n, 508], [17782069995880619868n, 534], [13248674568444952270n, 561],
  [9871031767461413346n, 588], [14708983551653345445n, 614], [10959046745042015199n, 641], [16330252207878254650n, 667],
  [12166986024289022870n, 694], [18130221999122236476n, 720], [13508068024458167312n, 747], [10064294952495520794n, 774],
  [14996968138956309548n, 800], [11173611982879273257n, 827], [16649979327439178909n, 853], [12405201291620119593n, 880],
  [9242595204427927429n, 907], [13772540099066387757n, 933], [10261342003245940623n, 960], [15290591125556738113n, 986],
  [11392378155556871081n, 1013], [16975966327722178521n, 1039], [12648080533535911531n, 1066],
];

interface Fp {
  frac: bigint;
  exp: number;
}

const bits = new DataView(new ArrayBuffer(8));

function buildFp(d: number): Fp {
  bits.setFloat64(0, d);
  const b = bits.getBigUint64(0);
  const e = Number((b >> 52n) & 0x7ffn);
  const frac = b & FRAC_MASK;
  return e !== 0 ? { frac: frac + HIDDEN, exp: e - EXP_BIAS } : { frac, exp: -EXP_BIAS + 1 };
}

function normalize(fp: Fp): void {
  while ((fp.frac & HIDDEN) === 0n) {
    fp.frac = u64(fp.frac << 1n);
    fp.exp--;
  }
  fp.frac = u64(fp.frac << 11n);
  fp.exp -= 11;
}

function boundaries(fp: Fp): [lower: Fp, upper: Fp] {
  const upper: Fp = { frac: (fp.frac << 1n) + 1n, exp: fp.exp - 1 };
  while ((upper.frac & (HIDDEN << 1n)) === 0n) {
    upper.frac = u64(upper.frac << 1n);
    upper.exp--;
  }
  upper.frac = u64(upper.frac << 10n);
  upper.exp -= 10;
  const lShift = fp.frac === HIDDEN ? 2 : 1;
  const lower: Fp = { frac: u64((fp.frac << BigInt(lShift)) - 1n), exp: fp.exp - lShift };
  lower.frac = u64(lower.frac << BigInt(lower.exp - upper.exp));
  lower.exp = upper.exp;
  return [lower, upper];
}

function multiply(a: Fp, b: Fp): Fp {
  const lo = 0xffffffffn;
  const ahBl = (a.frac >> 32n) * (b.frac & lo);
  const alBh = (a.frac & lo) * (b.frac >> 32n);
  const alBl = (a.frac & lo) * (b.frac & lo);
  const ahBh = (a.frac >> 32n) * (b.frac >> 32n);
  const tmp = (ahBl & lo) + (alBh & lo) + (alBl >> 32n) + (1n << 31n);
  return { frac: u64(ahBh + (ahBl >> 32n) + (alBh >> 32n) + (tmp >> 32n)), exp: a.exp + b.exp + 64 };
}

function cachedPow10(exp: number): [Fp, number] {
  const approx = Math.trunc(-(exp + 87) * 0.30102999566398114);
  let idx = Math.trunc((approx + 348) / 8);
  for (;;) {
    const current = exp + POWERS[idx]![1] + 64;
    if (current < -60) idx++;
    else if (current > -32) idx--;
    else return [{ frac: POWERS[idx]![0], exp: POWERS[idx]![1] }, -348 + idx * 8];
  }
}

function roundDigit(digits: number[], delta: bigint, rem: bigint, kappa: bigint, frac: bigint): void {
  const n = digits.length;
  while (rem < frac && u64(delta - rem) >= kappa && (u64(rem + kappa) < frac || u64(frac - rem) > u64(rem + kappa - frac))) {
    digits[n - 1]!--;
    rem = u64(rem + kappa);
  }
}

function generateDigits(fp: Fp, upper: Fp, lower: Fp, digits: number[]): number {
  const wfrac = u64(upper.frac - fp.frac);
  let delta = u64(upper.frac - lower.frac);
  const shift = BigInt(-upper.exp);
  const one = 1n << shift;
  let part1 = upper.frac >> shift;
  let part2 = upper.frac & (one - 1n);
  let kappa = 10;
  for (let i = 10; kappa > 0; i++) {
    const div = TENS[i]!;
    const digit = part1 / div;
    if (digit !== 0n || digits.length !== 0) digits.push(Number(digit));
    part1 -= digit * div;
    kappa--;
    const tmp = u64((part1 << shift) + part2);
    if (tmp <= delta) {
      roundDigit(digits, delta, tmp, u64(div << shift), wfrac);
      return kappa;
    }
  }
  let unit = 18;
  for (;;) {
    part2 = u64(part2 * 10n);
    delta = u64(delta * 10n);
    kappa--;
    const digit = part2 >> shift;
    if (digit !== 0n || digits.length !== 0) digits.push(Number(digit));
    part2 &= one - 1n;
    if (part2 < delta) {
      roundDigit(digits, delta, part2, one, u64(wfrac * TENS[unit]!));
      return kappa;
    }
    unit--;
  }
}

/**
 * grisu2(): the digits of a finite, non-zero |d| and K, the power of ten of
 * the last digit (d = digits × 10^K).
 */
export function grisu2(d: number): { digits: string; k: number } {
  const w = buildFp(Math.abs(d));
  const [lower, upper] = boundaries(w);
  normalize(w);
  const [cp, k] = cachedPow10(upper.exp);
  const wm = multiply(w, cp);
  const up = multiply(upper, cp);
  const low = multiply(lower, cp);
  low.frac = u64(low.frac + 1n);
  up.frac = u64(up.frac - 1n);
  const digits: number[] = [];
  const kappa = generateDigits(wm, up, low, digits);
  return { digits: digits.join(''), k: -k + kappa };
}
