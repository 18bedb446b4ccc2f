// The CVU's Baugh-Wooley form, the intermediate reference of `accelgen prove cvu`: written from
// the specification (golden_model/README.md, "cvu"), not from the generator. The prover shows
// the emitted RTL equal to it with ABC (the two share their partial-product bits, so SAT sweeping
// finds the internal equivalences), and cvu_bw_lemma() shows it equal to the plain dot product
// independently of the RTL; together: RTL = plain dot product.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/cvu_params.hpp"

namespace accelgen::formal {

// With P = B/b, NBVE n = J*P + K takes x slice j = J mod px and w slice k = K mod pw of group
// g = J/px + (P/px)*(K/pw); lane l multiplies the slices of element e = g*L + l bit by bit, each
// b x b product being b^2 AND bits of weight 2^(u+v), and a bit whose weight is negative (exactly
// one of its two bits is the MSB of a signed top slice) enters inverted, since
// -2^s*v = 2^s*(1 - v) - 2^s. Each NBVE sums its bits unsigned; the sums are shifted by b*k
// within each row J, the rows by b*j, and the mode's constant -sum(2^s) over all inverted bits
// is added once.
struct BwBit {
  int x_bit = 0, w_bit = 0;  // bus bits x_i[x_bit] & w_i[w_bit]
  int shift = 0;             // u + v, within the NBVE
  bool inverted = false;
};
struct BwNbve {
  int row = 0;              // J
  int w_shift = 0;          // b*k: its shift within the row
  int x_shift = 0;          // b*j: its row's shift
  std::vector<BwBit> bits;  // lane-major, then x bit u, then w bit v
};
struct BwForm {
  int bx = 0, bw = 0, elements = 0;  // the mode and its G*L element pairs
  std::vector<BwNbve> nbves;         // n = J*P + K
  uint64_t correction = 0;           // -sum over the inverted bits of 2^(total shift), mod 2^W
};

// Mode (bx, bw) = (b*2^I, b*2^J) of P's CVU, its result taken mod 2^W (W < 64).
BwForm cvu_bw_form(const CvuParams& p, int i, int j, int W);

// The Baugh-Wooley lemma, checked by enumeration on the very bit list the reference is printed
// from: every bit reads the x and w of one element e < G*L; the bits of element e sum, for every
// bx-bit x_e and bw-bit w_e (two's complement when IS_SIGNED), to x_e*w_e + c_e with c_e the sum
// of 2^s over e's inverted bits; and the correction equals -sum_e c_e mod 2^W. Reordering the
// exact sum (mod 2^W, a ring homomorphism from the integers) then gives reference = sum_e
// x_e*w_e mod 2^W for every operand vector. CASES: (x_e, w_e) pairs enumerated.
struct BwLemma {
  bool holds = false;
  int64_t cases = 0;
};
BwLemma cvu_bw_lemma(const BwForm& form, bool is_signed, int W);

// Verilog module accelgen_ref_cvu_bw (x_i, w_i: BUS bits; dot_o: W bits) computing FORM; FORM
// null: an illegal mode, dot_o = 0. Every sum but the last is of non-negative terms in a width
// that holds their largest total (so exact); the last, W bits wide, wraps as the lemma allows.
std::string cvu_bw_reference(const BwForm* form, int bus, int W);

}  // namespace accelgen::formal
