#include "golden_model/noc/noc_vc_model.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace accelgen::golden {

namespace {

int opposite(int port) {
  if (port == kLocal) return kLocal;
  const int base = port <= kW ? 1 : 5;
  return base + ((port - base + 2) % 4);
}

// Round robin over the set bits of CAND (non-zero): the first set bit after PTR, wrapping.
int round_robin(uint64_t cand, int ptr) {
  const uint64_t above = ptr >= 63 ? 0 : cand & ~((uint64_t{2} << ptr) - 1);
  return __builtin_ctzll(above ? above : cand);
}

}  // namespace

NocVcSim::NocVcSim(const NocParams& p)
    : t_(noc_topology(p)), P_(t_.ports), V_(p.vcs), D_(p.vc_buffer()), N_(t_.nodes()) {
  if (P_ * V_ > 64)
    throw UserError(fmt::format("noc: {} ports x {} VCs exceed the model's 64 input VCs", P_, V_));
  const size_t nvc = static_cast<size_t>(N_) * P_ * V_, np = static_cast<size_t>(N_) * P_;
  ring_.resize(nvc * D_);
  head_.assign(nvc, 0);
  count_.assign(nvc, 0);
  active_.assign(nvc, 0);
  ovc_.assign(nvc, 0);
  held_.assign(nvc, 0);
  credit_.assign(nvc, D_);
  sa_out_.assign(np, 0);
  sa_in_.assign(np, 0);
  down_.assign(np, -1);
  up_.assign(np, -1);
  link_flits_.assign(np, 0);
  busy_.assign(N_, 0);
  in_packet_.assign(N_, 0);
  cur_.assign(N_, 0);
  last_.assign(N_, V_ - 1);
  inj_ok_.assign(N_, 0);
  inj_vc_.assign(N_, 0);
  for (int node = 0; node < N_; ++node)
    for (int out = 1; out < P_; ++out) {
      const int next = t_.neighbour(node, out);
      if (next < 0) continue;
      down_[node * P_ + out] = next * P_ + opposite(out);
      up_[next * P_ + opposite(out)] = node * P_ + out;
    }
  route_.resize(static_cast<size_t>(N_) * N_);
  for (int node = 0; node < N_; ++node)
    for (int dst = 0; dst < N_; ++dst)
      route_[static_cast<size_t>(node) * N_ + dst] = static_cast<uint8_t>(noc_route(t_, node, dst));
}

void NocVcSim::pop(int f) {
  head_[f] = (head_[f] + 1) % D_;
  if (--count_[f] == 0) busy_[f / (P_ * V_)] &= ~(uint64_t{1} << (f % (P_ * V_)));
}

void NocVcSim::step(const std::vector<const NocVcFlit*>& offers) {
  const int P = P_, V = V_;
  injected_.clear();
  ejected_.clear();
  pushes_.clear();
  credits_back_.clear();
  // Injection readiness from the state at the start of the cycle.
  for (int node = 0; node < N_; ++node) {
    inj_ok_[node] = 0;
    if (!offers[node]) continue;
    const int base = fifo(node, kLocal, 0);
    if (in_packet_[node]) {
      inj_ok_[node] = count_[base + cur_[node]] < D_;
      inj_vc_[node] = cur_[node];
    } else {
      // A head goes to the first VC with room after the previous head's VC.
      for (int x = 1; x <= V && !inj_ok_[node]; ++x) {
        const int c = (last_[node] + x) % V;
        if (count_[base + c] < D_) {
          inj_ok_[node] = 1;
          inj_vc_[node] = c;
        }
      }
    }
  }
  int route_of[64];
  for (int node = 0; node < N_; ++node) {
    const uint64_t busy = busy_[node];
    if (!busy) continue;
    const int nbase = node * P;
    // 1. Route every non-empty input VC.
    for (uint64_t b = busy; b; b &= b - 1) {
      const int k = __builtin_ctzll(b);
      route_of[k] = route_[static_cast<size_t>(node) * N_ + slot(node * P * V + k, 0).dst];
    }
    // 2. VC selection: per output, the free VC with a credit that has the most credits (lowest on
    // ties); the local output's one VC when free.
    int sel[9];
    for (int o = 0; o < P; ++o) {
      const int obase = (nbase + o) * V;
      sel[o] = -1;
      if (o == kLocal) {
        if (!held_[obase]) sel[o] = 0;
        continue;
      }
      for (int x = 0; x < V; ++x)
        if (!held_[obase + x] && credit_[obase + x] > 0 &&
            (sel[o] < 0 || credit_[obase + x] > credit_[obase + sel[o]]))
          sel[o] = x;
    }
    // 3. Eligibility, from the state at the start of the cycle.
    uint64_t elig = 0;
    for (uint64_t b = busy; b; b &= b - 1) {
      const int k = __builtin_ctzll(b), f = node * P * V + k, o = route_of[k];
      const bool ok =
          active_[f] ? o == kLocal || credit_[(nbase + o) * V + ovc_[f]] > 0 : sel[o] >= 0;
      if (ok) elig |= uint64_t{1} << k;
    }
    // 4. Separable input-first switch allocation, two iterations over the unmatched ports.
    uint32_t in_matched = 0, out_matched = 0;
    for (int iter = 0; iter < 2 && elig; ++iter) {
      uint32_t sa_req[9] = {0};
      int picked[9];
      for (int in = 0; in < P; ++in) {
        if (in_matched >> in & 1) continue;
        uint64_t cand = 0;
        for (uint64_t b = (elig >> (in * V)) & ((uint64_t{1} << V) - 1); b; b &= b - 1) {
          const int v = __builtin_ctzll(b);
          if (!(out_matched >> route_of[in * V + v] & 1)) cand |= uint64_t{1} << v;
        }
        if (!cand) continue;
        picked[in] = round_robin(cand, sa_in_[nbase + in]);
        sa_req[route_of[in * V + picked[in]]] |= 1u << in;
      }
      for (int o = 0; o < P; ++o) {
        if (!sa_req[o]) continue;
        const int in = round_robin(sa_req[o], sa_out_[nbase + o]);
        const int v = picked[in];
        in_matched |= 1u << in;
        out_matched |= 1u << o;
        sa_out_[nbase + o] = in;
        sa_in_[nbase + in] = v;
        // 5. The move; an idle VC takes the selected output VC.
        const int f = fifo(node, in, v);
        if (!active_[f]) {
          active_[f] = 1;
          ovc_[f] = static_cast<uint8_t>(sel[o]);
          held_[(nbase + o) * V + sel[o]] = 1;
        }
        const NocVcFlit flit = slot(f, 0);
        const int w = ovc_[f];
        pop(f);
        if (in != kLocal) credits_back_.push_back(up_[nbase + in] * V + v);
        if (o == kLocal) {
          ejected_.push_back({flit.packet, flit.index, node});
          if (flit.tail) --in_flight_;
        } else {
          --credit_[(nbase + o) * V + w];
          ++link_flits_[nbase + o];
          pushes_.push_back({down_[nbase + o] * V + w, flit});
        }
        if (flit.tail) {
          held_[(nbase + o) * V + w] = 0;
          active_[f] = 0;
        }
      }
    }
  }
  // Injection handshakes decided above.
  for (int node = 0; node < N_; ++node) {
    if (!inj_ok_[node]) continue;
    const NocVcFlit& flit = *offers[node];
    const int base = fifo(node, kLocal, 0);
    const int v = inj_vc_[node];
    if (!in_packet_[node]) {
      cur_[node] = last_[node] = v;
      ++in_flight_;
    }
    in_packet_[node] = !flit.tail;
    pushes_.push_back({base + v, flit});
    injected_.push_back({flit.packet, flit.index, node});
  }
  // Commit: credits and pushes (a FIFO that receives a flit has room: its sender held a credit).
  for (int c : credits_back_) ++credit_[c];
  for (const Push& p : pushes_) {
    slot(p.fifo, count_[p.fifo]) = p.flit;
    ++count_[p.fifo];
    busy_[p.fifo / (P * V)] |= uint64_t{1} << (p.fifo % (P * V));
  }
  ++now_;
}

}  // namespace accelgen::golden
