import TFProto
import TensorKernels
import Testing

@testable import Inference

/// Image ops against values TensorFlow 2.21 printed on the CPU for the same inputs
/// (`tf.raw_ops.Resize*`, `tf.image.crop_and_resize`, `tf.nn.depth_to_space`,
/// `Conv2DBackpropInput`, `NonMaxSuppressionV3/V4/V5`).
@Suite("image ops")
struct ImageOpTests {
  typealias H = GraphHarness

  /// A [1, 3, 4, 2] image: 1.5 * i - 7.
  let image = Tensor(float32: (0..<24).map { Float($0) * 1.5 - 7 }, shape: [1, 3, 4, 2])

  func expectClose(_ actual: [Float], _ expected: [Float], _ what: String) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)")
    for (index, (a, e)) in zip(actual, expected).enumerated() {
      #expect(Swift.abs(a - e) <= 2e-6 * Swift.max(1, Swift.abs(e)), "\(what)[\(index)]: \(a) != \(e)")
    }
  }

  static let resizes: [(String, Bool, Bool, [Int32], [Float])] = [
    (
      "ResizeBilinear", false, false, [5, 3],
      [
        -7.0, -5.5, -3.0, -1.4999998807907104, 1.000000238418579, 2.500000238418579, 0.20000028610229492,
        1.700000286102295,
        4.200000286102295, 5.700000286102295, 8.200000762939453, 9.700000762939453, 7.40000057220459, 8.90000057220459,
        11.40000057220459, 12.90000057220459,
        15.40000057220459, 16.900001525878906, 14.600000381469727, 16.100000381469727, 18.600000381469727,
        20.100000381469727, 22.600000381469727, 24.100000381469727,
        17.0, 18.5, 21.0, 22.5, 25.0, 26.5,
      ]
    ),
    (
      "ResizeNearestNeighbor", false, false, [5, 3],
      [
        -7.0, -5.5, -4.0, -2.5, -1.0, 0.5, -7.0, -5.5,
        -4.0, -2.5, -1.0, 0.5, 5.0, 6.5, 8.0, 9.5,
        11.0, 12.5, 5.0, 6.5, 8.0, 9.5, 11.0, 12.5,
        17.0, 18.5, 20.0, 21.5, 23.0, 24.5,
      ]
    ),
    (
      "ResizeBilinear", true, false, [5, 3],
      [
        -7.0, -5.5, -2.5, -1.0, 2.0, 3.5, -1.0, 0.5,
        3.5, 5.0, 8.0, 9.5, 5.0, 6.5, 9.5, 11.0,
        14.0, 15.5, 11.0, 12.5, 15.5, 17.0, 20.0, 21.5,
        17.0, 18.5, 21.5, 23.0, 26.0, 27.5,
      ]
    ),
    (
      "ResizeNearestNeighbor", true, false, [5, 3],
      [
        -7.0, -5.5, -1.0, 0.5, 2.0, 3.5, 5.0, 6.5,
        11.0, 12.5, 14.0, 15.5, 5.0, 6.5, 11.0, 12.5,
        14.0, 15.5, 17.0, 18.5, 23.0, 24.5, 26.0, 27.5,
        17.0, 18.5, 23.0, 24.5, 26.0, 27.5,
      ]
    ),
    (
      "ResizeBilinear", false, true, [5, 3],
      [
        -6.5, -5.0, -2.5, -1.0, 1.5000004768371582, 3.000000476837158, -1.6999998092651367, -0.19999980926513672,
        2.3000001907348633, 3.8000001907348633, 6.3000006675720215, 7.8000006675720215, 5.5, 7.0, 9.5, 11.0,
        13.5, 15.0, 12.70000171661377, 14.20000171661377, 16.700000762939453, 18.200000762939453, 20.700000762939453,
        22.200000762939453,
        17.5, 19.0, 21.5, 23.0, 25.5, 27.0,
      ]
    ),
    (
      "ResizeNearestNeighbor", false, true, [5, 3],
      [
        -7.0, -5.5, -1.0, 0.5, 2.0, 3.5, -7.0, -5.5,
        -1.0, 0.5, 2.0, 3.5, 5.0, 6.5, 11.0, 12.5,
        14.0, 15.5, 17.0, 18.5, 23.0, 24.5, 26.0, 27.5,
        17.0, 18.5, 23.0, 24.5, 26.0, 27.5,
      ]
    ),
    (
      "ResizeBicubic", false, false, [5, 7],
      [
        -7.0, -5.5, -5.574760913848877, -4.074760437011719, -3.4411816596984863, -1.9411815404891968,
        -1.9894524812698364, -0.4894524812698364,
        0.12095538526773453, 1.620955228805542, 1.6770254373550415, 3.177025318145752, 2.3148176670074463,
        3.814817428588867, -0.9567804336547852, 0.5432194471359253,
        0.46845918893814087, 1.968458890914917, 2.6020379066467285, 4.10203742980957, 4.053767204284668,
        5.553766250610352, 6.164175033569336, 7.664174556732178,
        7.720244407653809, 9.220243453979492, 8.358036994934082, 9.858036041259766, 8.26688289642334, 9.766881942749023,
        9.692121505737305, 11.192121505737305,
        11.825700759887695, 13.325700759887695, 13.277430534362793, 14.777430534362793, 15.387836456298828,
        16.887836456298828, 16.943906784057617, 18.443906784057617,
        17.58169937133789, 19.081701278686523, 15.17417049407959, 16.674171447753906, 16.599411010742188,
        18.099411010742188, 18.732990264892578, 20.23299217224121,
        20.18471908569336, 21.68471908569336, 22.29512596130371, 23.795124053955078, 23.8511962890625, 25.3511962890625,
        24.488988876342773, 25.98898696899414,
        18.295576095581055, 19.795576095581055, 19.720813751220703, 21.22081756591797, 21.854393005371094,
        23.354398727416992, 23.306121826171875, 24.80612564086914,
        25.41653060913086, 26.916532516479492, 26.972599029541016, 28.472599029541016, 27.610393524169922,
        29.11039161682129,
      ]
    ),
    (
      "ResizeBicubic", false, true, [5, 7],
      [
        -8.14395523071289, -6.643955707550049, -7.113887786865234, -5.613887786865234, -5.133796691894531,
        -3.633796453475952, -3.406306743621826, -1.9063066244125366,
        -1.678816795349121, -0.1788169890642166, 0.30127376317977905, 1.8012739419937134, 1.3313422203063965,
        2.8313424587249756, -3.561290979385376, -2.061290979385376,
        -2.5312228202819824, -1.0312225818634033, -0.5511318445205688, 0.9488682150840759, 1.1763579845428467,
        2.6763579845428467, 2.9038476943969727, 4.403847694396973,
        4.883938789367676, 6.383938789367676, 5.914007186889648, 7.414007186889648, 4.762350559234619,
        6.262350559234619, 5.79241943359375, 7.292419910430908,
        7.772511005401611, 9.27251148223877, 9.5, 11.0, 11.227489471435547, 12.72748851776123, 13.20758056640625,
        14.707581520080566,
        14.237648010253906, 15.737648963928223, 13.085992813110352, 14.585992813110352, 14.116061210632324,
        15.61606216430664, 16.09615135192871, 17.596155166625977,
        17.823640823364258, 19.32364273071289, 19.551130294799805, 21.051128387451172, 21.531225204467773,
        23.03122329711914, 22.561290740966797, 24.061288833618164,
        17.668655395507812, 19.168657302856445, 18.698726654052734, 20.198726654052734, 20.678815841674805,
        22.178815841674805, 22.40630531311035, 23.906307220458984,
        24.133792877197266, 25.6337947845459, 26.1138858795166, 27.613887786865234, 27.143953323364258,
        28.643953323364258,
      ]
    ),
    (
      "ResizeBicubic", true, false, [5, 7],
      [
        -7.0, -5.5, -5.78125, -4.28125, -4.0, -2.5, -2.5, -1.0,
        -1.0, 0.5, 0.78125, 2.28125, 2.0, 3.5, -2.125, -0.625,
        -0.90625, 0.59375, 0.875, 2.375, 2.375, 3.875, 3.875, 5.375,
        5.65625, 7.15625, 6.875, 8.375, 5.0, 6.5, 6.21875, 7.71875,
        8.0, 9.5, 9.5, 11.0, 11.0, 12.5, 12.78125, 14.28125,
        14.0, 15.5, 12.125, 13.625, 13.34375, 14.84375, 15.125, 16.625,
        16.625, 18.125, 18.125, 19.625, 19.90625, 21.40625, 21.125, 22.625,
        17.0, 18.5, 18.21875, 19.71875, 20.0, 21.5, 21.5, 23.0,
        23.0, 24.5, 24.78125, 26.28125, 26.0, 27.5,
      ]
    ),
    (
      "ResizeArea", false, false, [2, 3],
      [
        -2.250000238418579, -0.75, 1.5000001192092896, 3.000000238418579, 5.25, 6.75, 13.750000953674316,
        15.250000953674316,
        17.5, 19.0, 21.249998092651367, 22.749998092651367,
      ]
    ),
    (
      "ResizeArea", true, false, [2, 3],
      [
        0.0, 1.5, 4.0, 5.5, 8.0, 9.5, 18.0, 19.5,
        22.0, 23.5, 26.0, 27.5,
      ]
    ),
    (
      "ResizeArea", false, false, [4, 6],
      [
        -7.000000476837158, -5.5, -5.5, -4.0, -3.999999761581421, -2.499999761581421, -1.0000001192092896,
        0.5000000596046448,
        0.5000005960464478, 2.0000007152557373, 1.9999995231628418, 3.4999990463256836, 1.0, 2.5, 2.5, 4.0,
        3.999999761581421, 5.5, 7.000000476837158, 8.500000953674316, 8.500001907348633, 10.000000953674316,
        9.999998092651367, 11.49999713897705,
        9.0, 10.5, 10.5, 12.0, 11.999999046325684, 13.499999046325684, 15.000001907348633, 16.500001907348633,
        16.500003814697266, 18.000001907348633, 17.999996185302734, 19.499996185302734, 17.0, 18.5, 18.5, 20.0,
        19.999998092651367, 21.499998092651367, 23.000001907348633, 24.500003814697266, 24.500003814697266,
        26.000003814697266, 25.99999237060547, 27.49999237060547,
      ]
    ),
  ]

  @Test("resizes with align_corners and half_pixel_centers match TensorFlow")
  func resizes() throws {
    for (op, align, half, size, expected) in Self.resizes {
      var attributes = ["align_corners": H.attribute(align)]
      if op != "ResizeArea" { attributes["half_pixel_centers"] = H.attribute(half) }
      let output = try H.run(op, [image, Tensor(int32: size, shape: [2])], attributes)[0]
      #expect(output.shape == [1, Int(size[0]), Int(size[1]), 2], "\(op)")
      #expect(output.dtype == .float32)
      expectClose(try output.floats(), expected, "\(op) align_corners \(align) half_pixel_centers \(half)")
    }
    // Nearest keeps integer dtypes; both modes at once are refused.
    let integers = try H.run(
      "ResizeNearestNeighbor", [Tensor(int32: [1, 2, 3, 4], shape: [1, 2, 2, 1]), Tensor(int32: [4, 4], shape: [2])])
    #expect(integers[0].dtype == .int32)
    #expect(
      H.failure(
        "ResizeBilinear", [image, Tensor(int32: [2, 2], shape: [2])],
        ["align_corners": H.attribute(true), "half_pixel_centers": H.attribute(true)]) != nil)
    #expect(H.failure("ResizeBilinear", [image, Tensor(int32: [0, 2], shape: [2])]) != nil)
    #expect(
      H.failure("ResizeBilinear", [image, Tensor(int32: [1 << 30, 1 << 30], shape: [2])])?.category
        == .resourceExhausted)
  }

  @Test("CropAndResize: bilinear, nearest, boxes past the image take the extrapolation value")
  func crops() throws {
    let boxes = Tensor(
      float32: [0, 0, 1, 1, 0.2, 0.1, 0.9, 0.8, -0.5, 0.5, 0.5, 1.5, 0.5, 0.5, 0.5, 0.5], shape: [4, 4])
    let indices = Tensor(int32: [0, 0, 0, 0], shape: [4])
    let size = Tensor(int32: [2, 3], shape: [2])
    var extrapolation = Tensorflow_AttrValue()
    extrapolation.f = -9
    let bilinear = try H.run("CropAndResize", [image, boxes, indices, size], ["extrapolation_value": extrapolation])[0]
    #expect(bilinear.shape == [4, 2, 3, 2])
    expectClose(
      try bilinear.floats(),
      [
        -7.0, -5.5, -2.5, -1.0, 2.0, 3.5, 17.0, 18.5, 21.5, 23.0, 26.0, 27.5, -1.299999713897705, 0.20000028610229492,
        1.8499999046325684, 3.3499999046325684, 5.0, 6.5, 15.5, 17.0, 18.64999771118164, 20.14999771118164,
        21.799999237060547, 23.299999237060547, -9.0, -9.0, -9.0, -9.0, -9.0, -9.0, 9.5, 11.0, 14.0, 15.5, -9.0, -9.0,
        9.5, 11.0, 9.5, 11.0, 9.5, 11.0, 9.5, 11.0, 9.5, 11.0, 9.5, 11.0,
      ], "bilinear")
    let nearest = try H.run("CropAndResize", [image, boxes, indices, size], ["method": H.attribute("nearest")])[0]
    expectClose(
      try nearest.floats(),
      [
        -7.0, -5.5, -1.0, 0.5, 2.0, 3.5, 17.0, 18.5, 23.0, 24.5, 26.0, 27.5, -7.0, -5.5, -4.0, -2.5, -1.0, 0.5, 17.0,
        18.5, 20.0, 21.5, 23.0, 24.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 11.0, 12.5, 14.0, 15.5, 0.0, 0.0, 11.0, 12.5, 11.0,
        12.5, 11.0, 12.5, 11.0, 12.5, 11.0, 12.5, 11.0, 12.5,
      ], "nearest")
    #expect(H.failure("CropAndResize", [image, boxes, Tensor(int32: [0, 0, 1, 0], shape: [4]), size]) != nil)
  }

  @Test("DepthToSpace and SpaceToDepth are inverse block rearrangements")
  func depth() throws {
    let x = Tensor(int32: (0..<32).map(Int32.init), shape: [1, 2, 2, 8])
    let block = ["block_size": H.attribute(2)]
    let spread = try H.run("DepthToSpace", [x], block)[0]
    #expect(spread.shape == [1, 4, 4, 2])
    #expect(
      try spread.int32s() == [
        0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19, 24, 25, 26, 27, 20, 21, 22, 23, 28, 29,
        30, 31,
      ])
    #expect(try H.run("SpaceToDepth", [spread], block) == [x])
    #expect(H.failure("DepthToSpace", [Tensor(int32: [1, 2, 3], shape: [1, 1, 1, 3])], block) != nil)
    #expect(H.failure("SpaceToDepth", [Tensor(int32: [1, 2, 3], shape: [1, 1, 3, 1])], block) != nil)
  }

  @Test("Conv2DBackpropInput (Conv2DTranspose) with SAME and VALID padding and stride 2")
  func transposedConvolution() throws {
    let filter = Tensor(float32: (0..<54).map { (Float($0) - 20) / 8 }, shape: [3, 3, 2, 3])
    let same = try H.run(
      "Conv2DBackpropInput",
      [
        Tensor(int32: [1, 4, 5, 2], shape: [4]), filter,
        Tensor(float32: (0..<18).map { (Float($0) - 6) / 4 }, shape: [1, 2, 3, 3]),
      ],
      ["strides": ints([1, 2, 2, 1]), "padding": H.attribute("SAME")])[0]
    expectClose(
      try same.floats(),
      [
        6.15625, 4.75, 6.96875, 5.0, 2.5, 1.9375, -0.34375, -0.625, -1.15625, -0.875, -2.28125, -3.6875, -4.84375,
        -6.8125, -0.875, -1.4375, -2.03125, -2.3125, 0.53125, 0.8125, -15.53125, -15.8125, -31.625, -30.5, -12.71875,
        -11.3125, -26.0, -21.5, -9.90625, -6.8125, 1.9375, 3.0625, 3.59375, 6.6875, 3.34375, 5.3125, 6.40625, 11.1875,
        4.75, 7.5625,
      ], "SAME")
    let small = try Rearrange.slice(filter, begin: [0, 0, 0, 0], strides: [1, 1, 1, 1], shape: [2, 2, 2, 3])
    let valid = try H.run(
      "Conv2DBackpropInput",
      [
        Tensor(int32: [1, 4, 5, 2], shape: [4]), small,
        Tensor(float32: (0..<12).map { (Float($0) - 6) / 4 }, shape: [1, 2, 2, 3]),
      ],
      ["strides": ints([1, 2, 2, 1]), "padding": H.attribute("VALID")])[0]
    expectClose(
      try valid.floats(),
      [
        8.96875, 7.5625, 6.15625, 4.75, 3.625, 3.0625, 2.5, 1.9375, 0.0, 0.0, 0.53125, -0.875, -2.28125, -3.6875, 0.25,
        -0.3125, -0.875, -1.4375, 0.0, 0.0, -1.71875, -1.4375, -1.15625, -0.875, -7.0625, -5.9375, -4.8125, -3.6875,
        0.0, 0.0, -0.03125, 0.25, 0.53125, 0.8125, -0.3125, 0.8125, 1.9375, 3.0625, 0.0, 0.0,
      ], "VALID")
    #expect(
      H.failure(
        "Conv2DBackpropInput",
        [
          Tensor(int32: [1, 4, 5, 2], shape: [4]), small,
          Tensor(float32: [Float](repeating: 0, count: 18), shape: [1, 2, 3, 3]),
        ],
        ["strides": ints([1, 2, 2, 1]), "padding": H.attribute("VALID")]) != nil)
  }

  func ints(_ values: [Int]) -> Tensorflow_AttrValue {
    var attribute = Tensorflow_AttrValue()
    attribute.list.i = values.map(Int64.init)
    return attribute
  }

  let boxes = Tensor(
    float32: [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, -0.1, 1, 0.9, 0, 10, 1, 11, 0, 10.1, 1, 11.1, 0, 100, 1, 101, 1, 1, 0, 0],
    shape: [7, 4])
  let scores = Tensor(float32: [0.9, 0.75, 0.6, 0.95, 0.5, 0.3, 0.9], shape: [7])
  func scalar(_ value: Float) -> Tensor { Tensor(float32: [value], shape: []) }
  func count(_ value: Int32) -> Tensor { Tensor(int32: [value], shape: []) }

  @Test("NonMaxSuppressionV3, V4 (padded) and V5 (soft) select as TensorFlow does")
  func nonMaxSuppression() throws {
    #expect(
      try H.run("NonMaxSuppressionV3", [boxes, scores, count(5), scalar(0.5), scalar(0)]) == [
        Tensor(int32: [3, 0, 5], shape: [3])
      ])
    #expect(
      try H.run("NonMaxSuppressionV3", [boxes, scores, count(10), scalar(0.5), scalar(0.55)]) == [
        Tensor(int32: [3, 0], shape: [2])
      ])
    let padded = try H.run(
      "NonMaxSuppressionV4", [boxes, scores, count(8), scalar(0.5), scalar(0)],
      ["pad_to_max_output_size": H.attribute(true)])
    #expect(padded == [Tensor(int32: [3, 0, 5, 0, 0, 0, 0, 0], shape: [8]), Tensor(int32: [3], shape: [])])
    let soft = try H.run(
      "NonMaxSuppressionV5", [boxes, scores, count(6), scalar(1), scalar(0), scalar(0.5)])
    #expect(soft[0] == Tensor(int32: [3, 0, 1, 5, 4, 2], shape: [6]))
    expectClose(
      try soft[1].floats(),
      [
        0.949999988079071, 0.8999999761581421, 0.38400354981422424, 0.30000001192092896, 0.25600260496139526,
        0.19697244465351105,
      ], "soft scores")
    #expect(soft[2] == Tensor(int32: [6], shape: []))
    #expect(H.failure("NonMaxSuppressionV3", [boxes, scores, count(5), scalar(1.5), scalar(0)]) != nil)
    #expect(H.failure("NonMaxSuppressionV3", [boxes, scores, count(-1), scalar(0.5), scalar(0)]) != nil)
    #expect(
      H.failure(
        "NonMaxSuppressionV4", [boxes, scores, count(Int32.max), scalar(0.5), scalar(0)],
        ["pad_to_max_output_size": H.attribute(true)])?.category == .resourceExhausted)
    #expect(
      try H.run(
        "NonMaxSuppressionV3",
        [Tensor(float32: [], shape: [0, 4]), Tensor(float32: [], shape: [0]), count(3), scalar(0.5), scalar(0)]) == [
          Tensor(int32: [], shape: [0])
        ])
  }
}
