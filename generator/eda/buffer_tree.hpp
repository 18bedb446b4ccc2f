// Fan-out buffer trees on a mapped hierarchical netlist (Yosys JSON), across module boundaries.
//
// Every net whose load capacitance exceeds a bound gets a balanced tree of the library's buffer
// cell. A load is a liberty cell's input pin (its capacitance), an output port of the module (one
// buffer input: the parent buffers its own side) or an input pin of a submodule instance, weighted
// by the capacitance its port drives inside that module after the module itself has been buffered
// (modules are processed bottom-up, each once: a module instantiated N times carries its trees N
// times). The bound is F buffer inputs, F chosen from the buffer's liberty delay table: a tree of
// fan-out F over N loads has log_F(N) levels of delay d(F) = a + b * F * C_in each (a, b a least
// squares line through the buffer's cell_rise/cell_fall tables, averaged over input transitions),
// so F minimizes (a + b F C_in) / ln F. Clock nets (a load on a liberty `clock : true` pin, or on a
// submodule port that reaches one) are left alone (the flow's clock is ideal), as are nets driven
// by constants, by cells the pass does not know (tie cells) or by more than one driver.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace accelgen {

struct BufferTreeOptions {
  std::string buffer_cell = "BUFX4";  // must be a liberty cell with one input and one output pin
  int max_fanout = 0;                 // F; 0 = derived from the buffer's delay table
};

struct BufferTreeResult {
  std::string buffer_cell;
  int max_fanout = 0;          // F
  double buffer_input_pf = 0;  // C_in of the buffer cell
  double max_load_pf = 0;      // F * C_in: no driver sees more pin load than this after the pass
  double delay_intercept_ns = 0, delay_slope_ns_per_pf = 0;  // the fitted d(C) = a + b C
  // Per module (one instance each): buffers inserted and nets buffered.
  std::map<std::string, int64_t> module_buffers, module_nets;
  int64_t buffers_one_instance_each = 0;  // sum over modules
  nlohmann::json to_json() const;
};

// Reads the liberty file's buffer cell and derives F (unless given).
BufferTreeResult buffer_tree_parameters(const std::string& liberty_path,
                                        const BufferTreeOptions& options);

// Inserts the trees into DESIGN (a `write_json` netlist mapped onto LIBERTY_PATH's cells) in place.
BufferTreeResult insert_buffer_trees(nlohmann::json& design, const std::string& liberty_path,
                                     const BufferTreeOptions& options);

// File form: reads IN_JSON, writes OUT_JSON. Throws UserError on unreadable or malformed input.
BufferTreeResult insert_buffer_trees(const std::string& in_json, const std::string& out_json,
                                     const std::string& liberty_path,
                                     const BufferTreeOptions& options);

}  // namespace accelgen
