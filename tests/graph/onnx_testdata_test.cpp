// Sweep of Debian's libonnx-testdata (the ONNX backend test suite, written by the ONNX project):
// every model must import or be rejected with a UserError — nothing else — and every imported
// model's inferred output shapes must equal the reference outputs stored beside it.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "common/error.hpp"
#include "compiler/graph/onnx_import.hpp"

namespace accelgen::graph {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTestData = "/usr/share/libonnx-testdata/data";

// Name of the i-th graph input that is not an initializer (the order of input_<i>.pb).
std::string input_name(const fs::path& model, int i) {
  onnx::ModelProto proto;
  std::ifstream in(model, std::ios::binary);
  if (!proto.ParseFromIstream(&in)) return "";
  std::set<std::string> initializers;
  for (const auto& t : proto.graph().initializer()) initializers.insert(t.name());
  int index = 0;
  for (const auto& v : proto.graph().input()) {
    if (initializers.count(v.name())) continue;
    if (index++ == i) return v.name();
  }
  return "";
}

// The reason of a rejection without the file and node names, for a histogram.
std::string reason_of(const std::string& message) {
  const auto op = message.find("unsupported ONNX operator '");
  if (op != std::string::npos) {
    const auto start = op + 27;
    return "unsupported operator " + message.substr(start, message.find('\'', start) - start);
  }
  auto colon = message.rfind(": ");
  return colon == std::string::npos ? message : message.substr(colon + 2);
}

TEST(OnnxTestData, EveryModelImportsWithMatchingShapesOrIsRejectedClearly) {
  if (!fs::exists(kTestData)) GTEST_SKIP() << "libonnx-testdata is not installed";
  std::vector<fs::path> models;
  for (const auto& entry : fs::recursive_directory_iterator(kTestData)) {
    if (entry.path().filename() == "model.onnx") models.push_back(entry.path());
  }
  std::sort(models.begin(), models.end());
  int imported = 0, compared = 0, unsupported_op = 0, other_rejection = 0;
  std::map<std::string, int> reasons;
  for (const fs::path& model : models) {
    // The backend tests feed shape-deciding tensors (Reshape targets, Resize scales...) as graph
    // inputs; offer the stored values, which the importer reads only where it needs a constant.
    const fs::path data = model.parent_path() / "test_data_set_0";
    OnnxImportOptions options;
    for (int i = 0; fs::exists(data / ("input_" + std::to_string(i) + ".pb")); ++i) {
      options.input_values[input_name(model, i)] =
          (data / ("input_" + std::to_string(i) + ".pb")).string();
    }
    try {
      const OnnxImport result = import_onnx_file(model.string(), options);
      ++imported;
      for (size_t i = 0; i < result.outputs.size(); ++i) {
        const fs::path ref = data / ("output_" + std::to_string(i) + ".pb");
        if (!fs::exists(ref)) continue;
        ++compared;
        EXPECT_EQ(shape_string(result.outputs[i].second), shape_string(onnx_tensor_file_dims(ref)))
            << model << " output " << result.outputs[i].first;
      }
    } catch (const UserError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      const std::string reason = reason_of(message);
      ++reasons[reason];
      if (reason.rfind("unsupported operator", 0) == 0) {
        ++unsupported_op;
      } else {
        ++other_rejection;
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << model << ": not a UserError: " << e.what();
    }
  }
  std::vector<std::pair<int, std::string>> top;
  for (const auto& [reason, count] : reasons) top.emplace_back(count, reason);
  std::sort(top.rbegin(), top.rend());
  std::string summary;
  for (size_t i = 0; i < top.size() && i < 400; ++i) {
    summary += "  " + std::to_string(top[i].first) + "  " + top[i].second + "\n";
  }
  std::printf(
      "libonnx-testdata: %zu models; %d imported (%d output shapes compared), %d rejected for an "
      "unsupported operator, %d rejected for another stated reason\nmost common rejections:\n%s",
      models.size(), imported, compared, unsupported_op, other_rejection, summary.c_str());
  EXPECT_EQ(imported + unsupported_op + other_rejection, static_cast<int>(models.size()));
  EXPECT_GT(models.size(), 1000u);
}

}  // namespace
}  // namespace accelgen::graph
