#include "compiler/graph/zoo/zoo.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "compiler/graph/zoo/models.hpp"

namespace accelgen::graph {

const std::vector<ZooModel>& zoo_models() {
  static const std::vector<ZooModel> models = {
      {"alexnet", "AlexNet, 224x224 (torchvision layout)", zoo::alexnet},
      {"vgg16", "VGG-16, 224x224 (torchvision layout)", zoo::vgg16},
      {"googlenet", "GoogLeNet / Inception-v1 with batch norm, 224x224 (torchvision)",
       zoo::googlenet},
      {"resnet18", "ResNet-18, 224x224 (torchvision)", zoo::resnet18},
      {"resnet50", "ResNet-50 v1.5, 224x224 (torchvision)", zoo::resnet50},
      {"resnet152", "ResNet-152 v1.5, 224x224 (torchvision)", zoo::resnet152},
      {"randwire_a", "RandWire-WS small regime (C=78, N=32, WS(4, 0.75), seed 1), 224x224",
       zoo::randwire_a},
      {"randwire_b", "RandWire-WS regular regime (C=109, N=32, WS(4, 0.75), seed 2), 224x224",
       zoo::randwire_b},
      {"transformer",
       "Transformer-base encoder-decoder (Vaswani et al. 2017), source and target length --seq-len "
       "(default 128), embedded inputs, tied 37k-vocabulary projection",
       zoo::transformer_base},
      {"gpt",
       "GPT (Radford et al. 2018): 12 decoder blocks, width 768, --seq-len tokens (default 128), "
       "tied 40,478-vocabulary LM head",
       zoo::gpt},
      {"nasnet", "NASNet-A Large 6@4032, 331x331 (TF-slim nasnet.py / Keras NASNetLarge)",
       zoo::nasnet_large},
      {"mobilenet_v1", "MobileNet-v1 1.0, 224x224 (Howard et al. 2017)", zoo::mobilenet_v1},
      {"mobilenet_v2", "MobileNet-v2 1.0, 224x224 (torchvision)", zoo::mobilenet_v2},
      {"efficientnet_b0", "EfficientNet-B0, 224x224 (torchvision)", zoo::efficientnet_b0},
      {"ssd_mobilenet_v1", "SSD-MobileNet-v1, COCO, 300x300 (TF object detection API config)",
       zoo::ssd_mobilenet_v1},
      {"ssd_resnet34", "SSD-ResNet34, COCO, 1200x1200 (MLPerf Inference v0.5)", zoo::ssd_resnet34},
      {"tiny_yolo_v2", "Tiny YOLOv2, VOC, 416x416 (darknet yolov2-tiny-voc.cfg)",
       zoo::tiny_yolo_v2},
      {"yolo_v3", "YOLOv3, COCO, 416x416 (darknet yolov3.cfg)", zoo::yolo_v3},
      {"darknet19", "DarkNet-19 classifier, 224x224 (YOLO9000 Table 6, darknet19.cfg)",
       zoo::darknet19},
      {"bert_base", "BERT-base encoder + pooler, sequence length --seq-len (default 128)",
       zoo::bert_base},
      {"vit_b16", "ViT-B/16, 224x224 (torchvision)", zoo::vit_b16},
      {"gnmt",
       "GNMT v2 (MLPerf rnn_translator), 4+4 LSTM layers, H 1024, 32k shared vocabulary, source "
       "and target length --seq-len (default 128)",
       zoo::gnmt},
  };
  return models;
}

bool is_zoo_model(const std::string& name) {
  for (const ZooModel& m : zoo_models()) {
    if (m.name == name) return true;
  }
  return false;
}

Graph build_zoo_model(const std::string& name, const ZooOptions& options) {
  if (options.batch < 1 || options.batch > 65536) {
    throw UserError(fmt::format("batch must be 1..65536, got {}", options.batch));
  }
  if (options.resolution < 0 || options.resolution > 16384) {
    throw UserError(fmt::format("resolution must be 1..16384, got {}", options.resolution));
  }
  std::vector<std::string> names;
  for (const ZooModel& m : zoo_models()) {
    if (m.name == name) return m.build(options);
    names.push_back(m.name);
  }
  throw UserError(fmt::format("unknown model '{}' (known: {})", name, fmt::join(names, ", ")));
}

}  // namespace accelgen::graph
