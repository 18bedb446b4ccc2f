#include "flows/planaria/scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "common/bits.hpp"

namespace accelgen::flows::planaria {

namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max() / 4;

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
double uniform01(uint64_t& state) {
  return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
}

// Round half to even, as the artifact's Python round() does.
int64_t round_half_even(double x) {
  const double f = std::floor(x);
  const double diff = x - f;
  if (diff > 0.5) return static_cast<int64_t>(f) + 1;
  if (diff < 0.5) return static_cast<int64_t>(f);
  return static_cast<int64_t>(f) + (static_cast<int64_t>(f) % 2 != 0 ? 1 : 0);
}


// Leftover subarrays go to the highest-priority tasks, floor(left/count) each, and the remainder
// to one of them chosen by the seeded RNG; an over-allocation is taken back one subarray at a
// time from the lowest priority up, never below a task's base allocation.
void fix_total(std::vector<int>& alloc, const std::vector<int>& base,
               const std::vector<QueueEntry>& q, int subarrays, uint64_t& rng) {
  int total = std::accumulate(alloc.begin(), alloc.end(), 0);
  if (total < subarrays) {
    const int top = std::max_element(q.begin(), q.end(), [](auto& a, auto& b) {
                      return a.priority < b.priority;
                    })->priority;
    std::vector<size_t> best;
    for (size_t i = 0; i < q.size(); ++i)
      if (q[i].priority == top) best.push_back(i);
    const int left = subarrays - total;
    for (size_t i : best) alloc[i] += left / static_cast<int>(best.size());
    alloc[best[splitmix64(rng) % best.size()]] += left % static_cast<int>(best.size());
  }
  total = std::accumulate(alloc.begin(), alloc.end(), 0);
  std::vector<size_t> order(q.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return q[a].priority < q[b].priority; });
  while (total > subarrays) {
    bool took = false;
    for (size_t i : order) {
      if (total == subarrays) break;
      if (alloc[i] - 1 >= base[i]) {
        --alloc[i];
        --total;
        took = true;
      }
    }
    if (!took) throw std::logic_error("planaria allocate: base allocations exceed the array");
  }
}

// Indices sorted by score, descending (ties keep queue order).
std::vector<size_t> by_score_desc(const std::vector<double>& score) {
  std::vector<size_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return score[a] > score[b]; });
  return order;
}

// Adds the spare subarrays in proportion to the scores of the tasks with non-negative scores.
void share_spare(std::vector<int>& alloc, const std::vector<double>& score, int spare) {
  double sum = 0;
  for (double s : score)
    if (s >= 0) sum += s;
  if (spare <= 0 || sum <= 0) return;
  for (size_t i : by_score_desc(score))
    if (score[i] >= 0) alloc[i] += static_cast<int>(round_half_even(score[i] / sum * spare));
}

}  // namespace

std::vector<int> allocate(const std::vector<QueueEntry>& q, int subarrays, uint64_t& rng) {
  std::vector<int> alloc(q.size(), 0);
  if (q.empty()) return alloc;
  const bool all_feasible =
      std::all_of(q.begin(), q.end(), [](const QueueEntry& e) { return e.min_subarrays > 0; });
  int need = 0;
  for (const auto& e : q) need += e.min_subarrays;
  std::vector<double> score(q.size());
  if (all_feasible && need <= subarrays) {  // ALLOCATEFITTASKS
    for (size_t i = 0; i < q.size(); ++i) {
      alloc[i] = q[i].min_subarrays;
      score[i] = static_cast<double>(q[i].priority) / static_cast<double>(q[i].remaining_at_min);
    }
    const std::vector<int> base = alloc;
    share_spare(alloc, score, subarrays - need);
    fix_total(alloc, base, q, subarrays, rng);
    return alloc;
  }
  // ALLOCATEUNFITTASKS. Infeasible tasks score -priority / (time on the whole array).
  for (size_t i = 0; i < q.size(); ++i)
    score[i] =
        q[i].min_subarrays > 0
            ? static_cast<double>(q[i].priority) /
                  (static_cast<double>(std::max<int64_t>(1, q[i].slack)) * q[i].min_subarrays)
            : -static_cast<double>(q[i].priority) / static_cast<double>(q[i].remaining_at_all);
  const bool none_feasible =
      std::none_of(q.begin(), q.end(), [](const QueueEntry& e) { return e.min_subarrays > 0; });
  int remaining = subarrays;
  if (none_feasible) {
    double sum = 0;
    for (double s : score) sum += std::fabs(s);
    // Ascending score: the most negative (highest priority per remaining time) first.
    std::vector<size_t> order(q.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return score[a] < score[b]; });
    for (size_t i : order) {
      const int want = static_cast<int>(round_half_even(std::fabs(score[i]) / sum * subarrays));
      alloc[i] = std::min(want, remaining);
      remaining -= alloc[i];
    }
    fix_total(alloc, std::vector<int>(q.size(), 0), q, subarrays, rng);
    return alloc;
  }
  // Minimums in score order; an infeasible task asks for the whole array and takes what is left.
  for (size_t i : by_score_desc(score)) {
    const int want = q[i].min_subarrays > 0 ? q[i].min_subarrays : subarrays;
    alloc[i] = std::min(want, remaining);
    remaining -= alloc[i];
  }
  const std::vector<int> base = alloc;
  share_spare(alloc, score, remaining);
  fix_total(alloc, base, q, subarrays, rng);
  return alloc;
}

double fairness(const std::vector<int64_t>& isolated, const std::vector<int64_t>& multi,
                const std::vector<int>& priority) {
  if (isolated.empty()) return 1.0;
  const double psum = std::accumulate(priority.begin(), priority.end(), 0.0);
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (size_t i = 0; i < isolated.size(); ++i) {
    const double pp =
        (static_cast<double>(isolated[i]) / static_cast<double>(std::max<int64_t>(1, multi[i]))) /
        (priority[i] / psum);
    lo = std::min(lo, pp);
    hi = std::max(hi, pp);
  }
  return hi > 0 ? lo / hi : 1.0;
}

std::vector<Task> poisson_tasks(int count, double mean_cycles, int models, uint64_t seed) {
  uint64_t rng = seed * 0x2545F4914F6CDD1DULL + 1;
  std::vector<Task> tasks;
  double t = 0;
  for (int i = 0; i < count; ++i) {
    t += -mean_cycles * std::log(1.0 - uniform01(rng));
    Task task;
    task.id = i;
    task.arrival = static_cast<int64_t>(t);
    task.model = static_cast<int>(splitmix64(rng) % static_cast<uint64_t>(models));
    task.priority = 1 + static_cast<int>(splitmix64(rng) % 11);
    tasks.push_back(task);
  }
  return tasks;
}

namespace {

// A task in flight: its layer, and the tiles done in that layer counted in table `tn`.
struct Live {
  const Task* task = nullptr;
  const TaskModel* model = nullptr;
  const std::vector<std::vector<int64_t>>* suffix =
      nullptr;  // [table][layer]: cycles from layer on
  size_t layer = 0;
  int64_t done = 0;
  int tn = 0;         // table index the progress is counted in
  int alloc = 0;      // subarrays now (0: waiting); Planaria table index alloc - 1
  double tokens = 0;  // PREMA only
};

int64_t layers_of(const Live& t) { return static_cast<int64_t>(t.model->tables[0].size()); }

// Tiles of the current layer still to do under table `to`.
int64_t remaining_tiles(const Live& t, int to) {
  const int64_t from_tiles = t.model->tables[t.tn][t.layer].tiles;
  const int64_t to_tiles = t.model->tables[to][t.layer].tiles;
  return ceil_div((from_tiles - t.done) * to_tiles, from_tiles);
}

int64_t remaining_time(const Live& t, int table) {
  if (static_cast<int64_t>(t.layer) >= layers_of(t)) return 0;
  return remaining_tiles(t, table) * t.model->tables[table][t.layer].cycles_per_tile +
         (*t.suffix)[table][t.layer + 1];
}

void switch_table(Live& t, int to) {
  if (to == t.tn || static_cast<int64_t>(t.layer) >= layers_of(t)) return;
  t.done = t.model->tables[to][t.layer].tiles - remaining_tiles(t, to);
  t.tn = to;
}

// Runs the task on table t.tn for at least `budget` cycles, stopping at the first tile boundary
// at or after it, or when the task ends. Returns the cycles used.
int64_t advance(Live& t, int64_t budget) {
  int64_t used = 0;
  const auto& table = t.model->tables[t.tn];
  while (used < budget && static_cast<int64_t>(t.layer) < layers_of(t)) {
    const LayerSteps& l = table[t.layer];
    const int64_t left = l.tiles - t.done;
    const int64_t need = ceil_div(budget - used, l.cycles_per_tile);
    if (need >= left) {
      used += left * l.cycles_per_tile;
      ++t.layer;
      t.done = 0;
    } else {
      used += need * l.cycles_per_tile;
      t.done += need;
    }
  }
  return used;
}

bool finished(const Live& t) { return static_cast<int64_t>(t.layer) >= layers_of(t); }

std::vector<std::vector<std::vector<int64_t>>> suffixes(const std::vector<TaskModel>& models) {
  std::vector<std::vector<std::vector<int64_t>>> out;
  for (const auto& m : models) {
    std::vector<std::vector<int64_t>> per_table;
    for (const auto& table : m.tables) {
      std::vector<int64_t> s(table.size() + 1, 0);
      for (size_t l = table.size(); l-- > 0;)
        s[l] = s[l + 1] + table[l].tiles * table[l].cycles_per_tile;
      per_table.push_back(std::move(s));
    }
    out.push_back(std::move(per_table));
  }
  return out;
}

void check_models(const std::vector<TaskModel>& models, int subarrays) {
  for (const auto& m : models) {
    if (static_cast<int>(m.tables.size()) != subarrays + 1)
      throw std::logic_error(
          "planaria scheduler: a model needs one table per subarray count plus the monolithic one");
    for (const auto& t : m.tables) {
      if (t.size() != m.tables[0].size())
        throw std::logic_error("planaria scheduler: tables differ in layers");
      for (const auto& l : t)
        if (l.tiles < 1 || l.cycles_per_tile < 1)
          throw std::logic_error("planaria scheduler: empty layer in a table");
    }
  }
}

void finish_metrics(RunResult& r, const std::vector<TaskModel>& models,
                    const std::vector<Task>& tasks) {
  std::vector<int> met(models.size(), 0), count(models.size(), 0);
  std::vector<int64_t> iso, multi;
  std::vector<int> prio;
  int met_all = 0;
  for (const Task& t : tasks) {
    TaskResult& tr = r.tasks[t.id];
    tr.latency = tr.finish - t.arrival;
    tr.met_qos = tr.latency <= models[t.model].qos_cycles;
    met[t.model] += tr.met_qos;
    ++count[t.model];
    met_all += tr.met_qos;
    iso.push_back(tr.isolated);
    multi.push_back(tr.latency);
    prio.push_back(t.priority);
  }
  r.sla_met = true;
  for (size_t m = 0; m < models.size(); ++m)
    if (count[m] > 0 && met[m] < models[m].sla_fraction * count[m]) r.sla_met = false;
  r.qos_fraction = tasks.empty() ? 1.0 : static_cast<double>(met_all) / tasks.size();
  r.fairness = fairness(iso, multi, prio);
}

// The state both simulations share: results by task id (isolated time from table `table`), the
// tasks in flight, and the arrivals not yet admitted.
struct Sim {
  const std::vector<TaskModel>& models;
  const std::vector<Task>& tasks;
  const std::vector<std::vector<std::vector<int64_t>>> suffix;
  const int table;  // the table a new task's progress is counted in
  RunResult r;
  std::vector<Live> active;
  size_t next = 0;
  int64_t now = 0;
  size_t done_count = 0;

  Sim(const std::vector<TaskModel>& m, const std::vector<Task>& t, int tbl)
      : models(m), tasks(t), suffix(suffixes(m)), table(tbl) {
    r.tasks.resize(tasks.size());
    for (const Task& task : tasks) {
      r.tasks[task.id].id = task.id;
      r.tasks[task.id].isolated = suffix[task.model][table][0];
    }
  }
  // Waits for the next arrival if nothing is in flight, then admits every task arrived by now.
  void admit() {
    if (active.empty()) now = std::max(now, tasks[next].arrival);
    while (next < tasks.size() && tasks[next].arrival <= now) {
      Live l;
      l.task = &tasks[next];
      l.model = &models[tasks[next].model];
      l.suffix = &suffix[tasks[next].model];
      l.tn = table;
      l.tokens = tasks[next].priority;
      active.push_back(l);
      ++next;
    }
  }
  int64_t next_arrival() const { return next < tasks.size() ? tasks[next].arrival : kNever; }
  bool done() const { return done_count == tasks.size(); }
};

}  // namespace

RunResult run_planaria(const std::vector<TaskModel>& models, const std::vector<Task>& tasks,
                       const SchedOptions& o) {
  check_models(models, o.subarrays);
  const int whole = o.subarrays - 1;  // table index of all subarrays
  Sim sim(models, tasks, whole);
  RunResult& r = sim.r;
  std::vector<Live>& active = sim.active;
  uint64_t rng = o.seed;
  while (!sim.done()) {
    sim.admit();
    const int64_t now = sim.now;
    // Algorithm 1: minimum subarrays meeting each task's slack, then the allocation.
    std::vector<QueueEntry> q;
    for (const Live& t : active) {
      QueueEntry e;
      e.priority = t.task->priority;
      e.slack = t.model->qos_cycles - (now - t.task->arrival);
      e.remaining_at_all = std::max<int64_t>(1, remaining_time(t, whole));
      for (int n = 1; n <= o.subarrays; ++n)
        if (remaining_time(t, n - 1) <= e.slack) {
          e.min_subarrays = n;
          e.remaining_at_min = std::max<int64_t>(1, remaining_time(t, n - 1));
          break;
        }
      q.push_back(e);
    }
    const std::vector<int> alloc = allocate(q, o.subarrays, rng);
    ++r.events;
    Allocation rec;
    rec.time = now;
    for (size_t i = 0; i < active.size(); ++i) {
      active[i].alloc = alloc[i];
      if (alloc[i] > 0) switch_table(active[i], alloc[i] - 1);
      rec.task_ids.push_back(active[i].task->id);
      rec.subarrays.push_back(alloc[i]);
      rec.done_tiles.push_back(active[i].done);
    }
    if (o.keep_trace) r.trace.push_back(std::move(rec));
    // Run to the next arrival or finish, each task to a tile boundary; time moves to the latest.
    int64_t event = sim.next_arrival();
    for (const Live& t : active)
      if (t.alloc > 0) event = std::min(event, now + remaining_time(t, t.tn));
    int64_t new_now = now;
    for (Live& t : active) {
      if (t.alloc == 0) continue;
      const int64_t used = advance(t, event - now);
      new_now = std::max(new_now, now + used);
      if (finished(t)) {
        r.tasks[t.task->id].finish = now + used;
        ++sim.done_count;
      }
    }
    sim.now = new_now;
    active.erase(std::remove_if(active.begin(), active.end(), finished), active.end());
  }
  finish_metrics(r, models, tasks);
  return r;
}

RunResult run_prema(const std::vector<TaskModel>& models, const std::vector<Task>& tasks,
                    const SchedOptions& o) {
  check_models(models, o.subarrays);
  const int mono = o.subarrays;  // the monolithic table
  Sim sim(models, tasks, mono);
  RunResult& r = sim.r;
  std::vector<Live>& active = sim.active;
  while (!sim.done()) {
    sim.admit();
    const int64_t now = sim.now;
    // Candidates: tokens at or above the highest priority waiting; the shortest remaining runs.
    int threshold = 0;
    for (const Live& t : active) threshold = std::max(threshold, t.task->priority);
    int pick = -1;
    for (size_t i = 0; i < active.size(); ++i) {
      if (active[i].tokens + 1e-9 < threshold) continue;
      if (pick < 0 || remaining_time(active[i], mono) < remaining_time(active[pick], mono))
        pick = static_cast<int>(i);
    }
    if (pick < 0)  // tokens all below the threshold: the task with the most tokens
      for (size_t i = 0; i < active.size(); ++i)
        if (pick < 0 || active[i].tokens > active[pick].tokens) pick = static_cast<int>(i);
    const int running = pick;
    ++r.events;
    if (o.keep_trace) {
      Allocation rec;
      rec.time = now;
      for (size_t i = 0; i < active.size(); ++i) {
        rec.task_ids.push_back(active[i].task->id);
        rec.subarrays.push_back(static_cast<int>(i) == running ? o.subarrays : 0);
        rec.done_tiles.push_back(active[i].done);
      }
      r.trace.push_back(std::move(rec));
    }
    Live& run = active[running];
    int64_t event = std::min(sim.next_arrival(), now + o.prema_quantum);
    event = std::min(event, now + remaining_time(run, mono));
    const int64_t used = advance(run, event - now);
    for (size_t i = 0; i < active.size(); ++i)
      if (static_cast<int>(i) != running)
        active[i].tokens +=
            active[i].task->priority * static_cast<double>(used) /
            static_cast<double>(std::max<int64_t>(1, r.tasks[active[i].task->id].isolated));
    sim.now += used;
    if (finished(run)) {
      r.tasks[run.task->id].finish = sim.now;
      ++sim.done_count;
      active.erase(active.begin() + running);
    }
  }
  finish_metrics(r, models, tasks);
  return r;
}

}  // namespace accelgen::flows::planaria
