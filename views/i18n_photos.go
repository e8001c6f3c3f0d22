package views

func init() { addZH(photosZH) }

// photosZH is the photo evidence area: the gallery, the checklist and the
// upload form. The reasons an upload is refused are the domain's messages
// (errors.go).
var photosZH = map[string]string{
	// Gallery
	"Photo evidence": "照片凭证",
	"Photo viewer":   "照片查看",
	"Previous photo": "上一张",
	"Next photo":     "下一张",
	"Zoom":           "放大",
	"Open image":     "新窗口打开",
	"Close":          "关闭",
	"← → next and previous · + − zoom · Esc close": "← → 切换 · + − 缩放 · Esc 关闭",
	"Buyer's photos":    "买家照片",
	"Merchant's photos": "商家照片",
	"No photos yet.":    "暂无照片。",
	"Buyer's photo %d":  "买家照片 %d",
	"deleted":           "已删除",
	"The photos were deleted on %s, as photos of ended tickets are kept only for a set time; what is said of them below stays.": "照片已于 %s 删除（结束的工单只保留照片一段时间），下方照片的记录仍保留。",
	"Merchant's photo %d":                    "商家照片 %d",
	"Taken":                                  "拍摄时间",
	"Camera":                                 "拍摄设备",
	"unknown (no capture time in the photo)": "未知（照片中没有拍摄时间）",
	"Taken before the order was received":    "拍摄于签收之前",
	"GPS location was present (removed)":     "原图含 GPS 位置（已移除）",
	"Also submitted on":                      "同一照片也提交于",
	"(the same image)":                       "（完全相同）",
	"(a similar image)":                      "（高度相似）",
	"Added by %s, %s":                        "%s 上传于 %s",

	// Checklist
	"Checklist":                     "凭证清单",
	"This service needs no photos.": "该服务无需照片。",
	"present":                       "已提供",
	"missing":                       "缺少",
	"%d of the %d photos required":  "买家照片 %d 张，至少需要 %d 张",
	"%d photos (%d required)":       "买家照片 %d 张，至少需要 %d 张",
	"optional":                      "可选",
	"The product":                   "商品",
	"The packing label":             "包装标签",
	"The parcel as delivered":       "收到时的外包装",
	"The item":                      "商品实物",
	"The defect, close up":          "质量问题特写",
	"The skin reaction":             "过敏部位",
	"The appraisal report":          "鉴定报告",
	"The return tracking slip":      "退货快递单",

	// Upload
	"Add counter-evidence":   "上传商家反证",
	"Add the buyer's photos": "代买家上传照片",
	"Photos":                 "照片",
	"JPEG, PNG or WebP; up to %d MB and %d megapixels each; at most %d photos per side.": "支持 JPEG、PNG、WebP；每张不超过 %d MB、%d 百万像素；每方最多 %d 张。",
	"What they show":                         "照片内容",
	"Not specified":                          "未指定",
	"Upload":                                 "上传",
	"Added.":                                 "已添加。",
	"Added; the same picture is also on %s.": "已添加；同一照片也出现在 %s。",
	"Choose at least one photo.":             "请至少选择一张照片。",
	"%d of %d photos added.":                 "已添加 %d 张照片（共 %d 张）。",
	"Too many files at once: at most %d.":    "一次上传的文件过多：最多 %d 个。",
	"The upload is too large.":               "上传的内容过大。",
	"The ticket is finished: no more photos can be added.": "工单已结束，不能再添加照片。",
}
